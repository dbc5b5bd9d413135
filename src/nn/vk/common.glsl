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
