// Included by every shader of src/nn/vk: the storage and arithmetic types of the variant.
// AIM_FP16=1 ("<name>_fp16"): fp16 storage (GL_EXT_shader_16bit_storage) and arithmetic;
// AIM_FP16=0: fp32. `sfp` is the element type of the arena's tensors, `afp` the arithmetic type.
#if AIM_FP16
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define sfp float16_t
#define afp float16_t
#else
#define sfp float
#define afp float
#endif

// The logical dispatch grid. aim_nn_vk_dispatch (rec.c) folds a grid of more than 65535 work
// groups along x (the least maxComputeWorkGroupCount Vulkan guarantees) over z: it dispatches
// x' = ceil(x / f) by f * nz groups, nz the logical count along z, and z' = fold * nz + z.
// GROUP_X(nz) / GROUP_Z(nz): this work group's logical x and z (groups past the logical x
// count exist when f does not divide it: the shaders bound-check). GLOBAL_X: the invocation's
// logical index along x in a grid with nz = 1 (one invocation per element).
#define GROUP_X(nz) \
    (int(gl_WorkGroupID.z) / (nz) * int(gl_NumWorkGroups.x) + int(gl_WorkGroupID.x))
#define GROUP_Z(nz) (int(gl_WorkGroupID.z) % (nz))
#define GLOBAL_X (GROUP_X(1) * int(gl_WorkGroupSize.x) + int(gl_LocalInvocationID.x))
