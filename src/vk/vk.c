// The Vulkan device layer (vk.h). The loader is opened with dlopen and every entry point is
// fetched through vkGetInstanceProcAddr / vkGetDeviceProcAddr (VK_NO_PROTOTYPES), so nothing
// links libvulkan and a machine without it gets AIM_ERR(ENODEV).
#include "vk/vk.h"

#include <string.h>

const char *aim_vk_type_name(int type)
{
    switch (type) {
    case AIM_VK_TYPE_INTEGRATED: return "integrated GPU";
    case AIM_VK_TYPE_DISCRETE: return "discrete GPU";
    case AIM_VK_TYPE_VIRTUAL: return "virtual GPU";
    case AIM_VK_TYPE_CPU: return "CPU";
    default: return "other";
    }
}

void aim_vk_default_settings(AimVkSettings *s)
{
    *s = (AimVkSettings){ .policy = AIM_VK_AUTO, .validation = -1, .fp16 = 1 };
}

int aim_vk_parse_device(const char *s, int *policy, int *index)
{
    if (!s)
        return AIM_ERR(EINVAL);
    if (!strcmp(s, "auto") || !strcmp(s, "cpu") || !strcmp(s, "vulkan")) {
        *policy = s[0] == 'a' ? AIM_VK_AUTO : s[0] == 'c' ? AIM_VK_CPU : AIM_VK_ANY;
        *index = 0;
        return 0;
    }
    if (strncmp(s, "vulkan:", 7))
        return AIM_ERR(EINVAL);
    const char *d = s + 7;
    int n = 0, digits = 0;
    for (; *d >= '0' && *d <= '9' && digits < 3; d++, digits++)
        n = n * 10 + (*d - '0');
    // a device index well above any machine's (the loader lists a handful)
    if (!digits || *d || n > 63)
        return AIM_ERR(EINVAL);
    *policy = AIM_VK_INDEX;
    *index = n;
    return 0;
}

int aim_vk_device_open(AimVkDevice **out, int policy, int index, int timestamps,
                       const AimLog *log)
{
    if (policy == AIM_VK_CPU) {
        *out = NULL;
        return 0;
    }
    AimVkSettings s;
    aim_vk_default_settings(&s);
    s.policy = policy;
    s.index = index;
    s.timestamps = timestamps;
    if (log)
        s.log = *log;
    return aim_vk_device_create(out, &s);
}

int aim_vk_have_shader(const char *name)
{
    for (int i = 0; i < aim_vk_nshaders; i++)
        if (!strcmp(aim_vk_shaders[i].name, name))
            return 1;
    return 0;
}

#if !AIM_HAVE_VULKAN

// Built without the Vulkan headers or glslc: every entry point says so.
int aim_vk_enumerate(AimVkDeviceInfo *infos, int max, int *count, const AimLog *log)
{
    *count = 0;
    aim_log(log, AIM_LOG_ERROR, "vulkan: this build has no Vulkan backend (no headers or glslc)");
    return AIM_ERR_UNSUPPORTED;
}
int aim_vk_device_create(AimVkDevice **out, const AimVkSettings *s)
{
    aim_log(&s->log, AIM_LOG_ERROR,
            "vulkan: this build has no Vulkan backend (no headers or glslc)");
    return AIM_ERR_UNSUPPORTED;
}
void aim_vk_device_destroy(AimVkDevice **d) { (void)d; }
const AimVkDeviceInfo *aim_vk_device_info(const AimVkDevice *d) { return NULL; }
int aim_vk_device_fp16(const AimVkDevice *d) { return 0; }
int aim_vk_device_coopmat(const AimVkDevice *d) { return 0; }
int aim_vk_device_messages(const AimVkDevice *d) { return 0; }
int aim_vk_device_validating(const AimVkDevice *d) { return 0; }
uint64_t aim_vk_device_budget(const AimVkDevice *d) { return 0; }
uint64_t aim_vk_device_allocated(const AimVkDevice *d, uint64_t *peak)
{
    if (peak)
        *peak = 0;
    return 0;
}
uint64_t aim_vk_device_max_range(const AimVkDevice *d) { return 0; }
size_t aim_vk_device_offset_align(const AimVkDevice *d) { return 0; }
int aim_vk_buffer_create(AimVkBuffer **out, AimVkDevice *d, size_t bytes, int kind)
{
    return AIM_ERR_UNSUPPORTED;
}
void aim_vk_buffer_destroy(AimVkBuffer **b) { (void)b; }
size_t aim_vk_buffer_size(const AimVkBuffer *b) { return 0; }
void *aim_vk_buffer_map(AimVkBuffer *b) { return NULL; }
int aim_vk_cmd_create(AimVkCmd **out, AimVkDevice *d) { return AIM_ERR_UNSUPPORTED; }
void aim_vk_cmd_destroy(AimVkCmd **c) { (void)c; }
int aim_vk_cmd_begin(AimVkCmd *c) { return AIM_ERR_UNSUPPORTED; }
int aim_vk_cmd_dispatch(AimVkCmd *c, const AimVkDispatch *d) { return AIM_ERR_UNSUPPORTED; }
int aim_vk_cmd_scratch(AimVkCmd *c, size_t bytes, AimVkBinding *out)
{
    return AIM_ERR_UNSUPPORTED;
}
int aim_vk_cmd_scratch_shared(AimVkCmd *c, size_t bytes, AimVkBinding *out)
{
    return AIM_ERR_UNSUPPORTED;
}
int aim_vk_cmd_staging(AimVkCmd *c, size_t bytes, AimVkBinding *out)
{
    return AIM_ERR_UNSUPPORTED;
}
int aim_vk_cmd_copy(AimVkCmd *c, AimVkBuffer *src, size_t src_off, AimVkBuffer *dst,
                    size_t dst_off, size_t bytes)
{
    return AIM_ERR_UNSUPPORTED;
}
int aim_vk_cmd_fill(AimVkCmd *c, AimVkBuffer *dst, size_t off, size_t bytes, uint32_t value)
{
    return AIM_ERR_UNSUPPORTED;
}
void aim_vk_cmd_barrier(AimVkCmd *c) { (void)c; }
int aim_vk_cmd_submit(AimVkCmd *c) { return AIM_ERR_UNSUPPORTED; }
int aim_vk_cmd_flush(AimVkCmd *c) { return AIM_ERR_UNSUPPORTED; }
int aim_vk_cmd_wait(AimVkCmd *c) { return AIM_ERR_UNSUPPORTED; }
double aim_vk_cmd_gpu_ms(const AimVkCmd *c) { return 0; }

#else

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

// --- the loader

static pthread_once_t loader_once = PTHREAD_ONCE_INIT;
static PFN_vkGetInstanceProcAddr get_instance_proc;

static void open_loader(void)
{
    // The library is kept open for the life of the process (drivers register atexit handlers).
    void *lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        lib = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
    if (lib)
        get_instance_proc = (PFN_vkGetInstanceProcAddr)dlsym(lib, "vkGetInstanceProcAddr");
}

// Entry points, by the level they are fetched at.
#define VK_GLOBAL_FNS(X) X(vkCreateInstance) X(vkEnumerateInstanceLayerProperties) \
    X(vkEnumerateInstanceExtensionProperties)
#define VK_INSTANCE_FNS(X) X(vkDestroyInstance) X(vkEnumeratePhysicalDevices) \
    X(vkGetPhysicalDeviceProperties) X(vkGetPhysicalDeviceProperties2) \
    X(vkGetPhysicalDeviceFeatures2) X(vkGetPhysicalDeviceMemoryProperties) \
    X(vkGetPhysicalDeviceMemoryProperties2) X(vkGetPhysicalDeviceQueueFamilyProperties) \
    X(vkEnumerateDeviceExtensionProperties) X(vkCreateDevice) X(vkGetDeviceProcAddr)
#define VK_OPTIONAL_INSTANCE_FNS(X) X(vkCreateDebugUtilsMessengerEXT) \
    X(vkDestroyDebugUtilsMessengerEXT) X(vkGetPhysicalDeviceCooperativeMatrixPropertiesNV)
#define VK_DEVICE_FNS(X) X(vkDestroyDevice) X(vkGetDeviceQueue) X(vkDeviceWaitIdle) \
    X(vkCreateBuffer) X(vkDestroyBuffer) X(vkGetBufferMemoryRequirements) X(vkAllocateMemory) \
    X(vkFreeMemory) X(vkBindBufferMemory) X(vkMapMemory) X(vkCreateShaderModule) \
    X(vkDestroyShaderModule) X(vkCreateDescriptorSetLayout) X(vkDestroyDescriptorSetLayout) \
    X(vkCreatePipelineLayout) X(vkDestroyPipelineLayout) X(vkCreateComputePipelines) \
    X(vkDestroyPipeline) X(vkCreateDescriptorPool) X(vkDestroyDescriptorPool) \
    X(vkResetDescriptorPool) X(vkAllocateDescriptorSets) X(vkUpdateDescriptorSets) \
    X(vkCreateCommandPool) X(vkDestroyCommandPool) X(vkAllocateCommandBuffers) \
    X(vkBeginCommandBuffer) X(vkEndCommandBuffer) X(vkResetCommandBuffer) \
    X(vkCmdBindPipeline) X(vkCmdBindDescriptorSets) X(vkCmdPushConstants) X(vkCmdDispatch) \
    X(vkCmdPipelineBarrier) X(vkCmdCopyBuffer) X(vkCmdFillBuffer) X(vkCmdWriteTimestamp) \
    X(vkCmdResetQueryPool) X(vkCreateQueryPool) X(vkDestroyQueryPool) \
    X(vkGetQueryPoolResults) X(vkCreateFence) X(vkDestroyFence) X(vkResetFences) \
    X(vkWaitForFences) X(vkQueueSubmit)

#define DECL_FN(name) PFN_##name name;
typedef struct Fns {
    VK_GLOBAL_FNS(DECL_FN)
    VK_INSTANCE_FNS(DECL_FN)
    VK_OPTIONAL_INSTANCE_FNS(DECL_FN)
    VK_DEVICE_FNS(DECL_FN)
} Fns;

static const char *result_name(VkResult r)
{
    switch (r) {
#define R(x) case x: return #x;
    R(VK_NOT_READY) R(VK_TIMEOUT) R(VK_INCOMPLETE) R(VK_ERROR_OUT_OF_HOST_MEMORY)
    R(VK_ERROR_OUT_OF_DEVICE_MEMORY) R(VK_ERROR_INITIALIZATION_FAILED) R(VK_ERROR_DEVICE_LOST)
    R(VK_ERROR_MEMORY_MAP_FAILED) R(VK_ERROR_LAYER_NOT_PRESENT)
    R(VK_ERROR_EXTENSION_NOT_PRESENT) R(VK_ERROR_FEATURE_NOT_PRESENT)
    R(VK_ERROR_INCOMPATIBLE_DRIVER) R(VK_ERROR_TOO_MANY_OBJECTS)
    R(VK_ERROR_FORMAT_NOT_SUPPORTED) R(VK_ERROR_FRAGMENTED_POOL)
    R(VK_ERROR_OUT_OF_POOL_MEMORY) R(VK_ERROR_INVALID_SHADER_NV)
#undef R
    default: return "VK_ERROR_UNKNOWN";
    }
}

// A VkResult as an AIM error, logged with the call that failed.
static int vk_error(const AimLog *log, VkResult r, const char *what)
{
    aim_log(log, AIM_LOG_ERROR, "vulkan: %s failed: %s (%d)", what, result_name(r), (int)r);
    switch (r) {
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_OUT_OF_POOL_MEMORY:
    case VK_ERROR_FRAGMENTED_POOL:
    case VK_ERROR_TOO_MANY_OBJECTS:
        return AIM_ERR(ENOMEM);
    case VK_ERROR_DEVICE_LOST:
    case VK_ERROR_INCOMPATIBLE_DRIVER:
    case VK_ERROR_INITIALIZATION_FAILED:
        return AIM_ERR(ENODEV);
    default:
        return AIM_ERR_EXTERNAL;
    }
}

// --- instance and enumeration

typedef struct Instance {
    Fns fn;
    VkInstance inst;
    VkDebugUtilsMessengerEXT messenger;
} Instance;

typedef struct Pipeline {
    char name[64];
    int32_t spec[AIM_VK_MAX_SPEC];
    int nspec, nbind, push_bytes;
    VkDescriptorSetLayout dsl;
    VkPipelineLayout layout;
    VkPipeline pipe;
} Pipeline;

struct AimVkDevice {
    Instance in;
    AimLog log;
    AimVkDeviceInfo info;
    VkPhysicalDevice phys;
    VkDevice dev;
    VkQueue queue;
    uint32_t family;
    VkPhysicalDeviceMemoryProperties mem;
    VkPhysicalDeviceLimits limits;
    int timestamps;         ///< queries usable and asked for
    int budget_ext;         ///< VK_EXT_memory_budget enabled
    int fp16;
    int coopmat;            ///< aim_vk_device_coopmat
    atomic_int messages;
    atomic_int lost;        ///< a call returned VK_ERROR_DEVICE_LOST: every later call fails
    pthread_mutex_t lock;   ///< pipelines, queue, allocation counters
    Pipeline *pipes;
    int npipes, cap_pipes;
    uint64_t allocated, peak;
};

static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT sev,
                                                 VkDebugUtilsMessageTypeFlagsEXT type,
                                                 const VkDebugUtilsMessengerCallbackDataEXT *cb,
                                                 void *opaque)
{
    AimVkDevice *d = opaque;
    atomic_fetch_add(&d->messages, 1);
    aim_log(&d->log, AIM_LOG_ERROR, "vulkan validation: %s",
            cb && cb->pMessage ? cb->pMessage : "(no message)");
    return VK_FALSE;
}

static int has_layer(const Fns *fn, const char *name)
{
    uint32_t n = 0;
    if (fn->vkEnumerateInstanceLayerProperties(&n, NULL) != VK_SUCCESS || !n)
        return 0;
    VkLayerProperties *p = calloc(n, sizeof(*p));
    int found = 0;
    if (p && fn->vkEnumerateInstanceLayerProperties(&n, p) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = !strcmp(p[i].layerName, name);
    free(p);
    return found;
}

static int has_instance_ext(const Fns *fn, const char *layer, const char *name)
{
    uint32_t n = 0;
    if (fn->vkEnumerateInstanceExtensionProperties(layer, &n, NULL) != VK_SUCCESS || !n)
        return 0;
    VkExtensionProperties *p = calloc(n, sizeof(*p));
    int found = 0;
    if (p && fn->vkEnumerateInstanceExtensionProperties(layer, &n, p) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = !strcmp(p[i].extensionName, name);
    free(p);
    return found;
}

// Creates the instance (Vulkan 1.1); `dev` non-NULL with validation: layer + messenger.
static int instance_create(Instance *in, const AimLog *log, int validation, AimVkDevice *dev)
{
    pthread_once(&loader_once, open_loader);
    if (!get_instance_proc) {
        aim_log(log, AIM_LOG_ERROR, "vulkan: no Vulkan loader (libvulkan.so.1) is installed");
        return AIM_ERR(ENODEV);
    }
    memset(in, 0, sizeof(*in));
    Fns *fn = &in->fn;
#define LOAD_GLOBAL(name) fn->name = (PFN_##name)get_instance_proc(NULL, #name);
    VK_GLOBAL_FNS(LOAD_GLOBAL)
#undef LOAD_GLOBAL
    if (!fn->vkCreateInstance || !fn->vkEnumerateInstanceLayerProperties ||
        !fn->vkEnumerateInstanceExtensionProperties) {
        aim_log(log, AIM_LOG_ERROR, "vulkan: the loader lacks vkCreateInstance");
        return AIM_ERR(ENODEV);
    }
    const char *layers[1], *exts[1];
    uint32_t nl = 0, ne = 0;
    if (validation) {
        const char *vl = "VK_LAYER_KHRONOS_validation";
        if (!has_layer(fn, vl))
            aim_log(log, AIM_LOG_WARNING, "vulkan: validation asked for but %s is not "
                    "installed (Debian vulkan-validationlayers)", vl);
        else if (!has_instance_ext(fn, vl, VK_EXT_DEBUG_UTILS_EXTENSION_NAME) &&
                 !has_instance_ext(fn, NULL, VK_EXT_DEBUG_UTILS_EXTENSION_NAME))
            aim_log(log, AIM_LOG_WARNING, "vulkan: no VK_EXT_debug_utils: validation off");
        else {
            layers[nl++] = vl;
            exts[ne++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
        }
    }
    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "ainimotion",
        .applicationVersion = VK_MAKE_VERSION(AIM_VERSION_MAJOR, AIM_VERSION_MINOR,
                                              AIM_VERSION_PATCH),
        .pEngineName = "ainimotion",
        .apiVersion = VK_API_VERSION_1_1,
    };
    VkDebugUtilsMessengerCreateInfoEXT mci = {
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
        .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
        .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
        .pfnUserCallback = on_message,
        .pUserData = dev,
    };
    VkInstanceCreateInfo ci = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        // the messenger also covers vkCreateInstance/vkDestroyInstance themselves
        .pNext = nl && dev ? &mci : NULL,
        .pApplicationInfo = &app,
        .enabledLayerCount = nl,
        .ppEnabledLayerNames = layers,
        .enabledExtensionCount = ne,
        .ppEnabledExtensionNames = exts,
    };
    VkResult r = fn->vkCreateInstance(&ci, NULL, &in->inst);
    if (r != VK_SUCCESS) {
        int err = vk_error(log, r, "vkCreateInstance");
        return r == VK_ERROR_INCOMPATIBLE_DRIVER ? AIM_ERR(ENODEV) : err;
    }
#define LOAD_INST(name) fn->name = (PFN_##name)get_instance_proc(in->inst, #name);
    VK_INSTANCE_FNS(LOAD_INST)
    VK_OPTIONAL_INSTANCE_FNS(LOAD_INST)
#undef LOAD_INST
#define CHECK_INST(name) || !fn->name
    if (0 VK_INSTANCE_FNS(CHECK_INST)) {
        aim_log(log, AIM_LOG_ERROR, "vulkan: the loader lacks Vulkan 1.1 entry points");
        if (fn->vkDestroyInstance)
            fn->vkDestroyInstance(in->inst, NULL);
        in->inst = VK_NULL_HANDLE;
        return AIM_ERR(ENODEV);
    }
#undef CHECK_INST
    if (nl && dev && fn->vkCreateDebugUtilsMessengerEXT) {
        r = fn->vkCreateDebugUtilsMessengerEXT(in->inst, &mci, NULL, &in->messenger);
        if (r != VK_SUCCESS)
            aim_log(log, AIM_LOG_WARNING, "vulkan: no debug messenger (%s)", result_name(r));
    }
    return 0;
}

static void instance_destroy(Instance *in)
{
    if (!in->inst)
        return;
    if (in->messenger)
        in->fn.vkDestroyDebugUtilsMessengerEXT(in->inst, in->messenger, NULL);
    in->fn.vkDestroyInstance(in->inst, NULL);
    in->inst = VK_NULL_HANDLE;
}

static int has_device_ext(const Fns *fn, VkPhysicalDevice pd, const char *name)
{
    uint32_t n = 0;
    if (fn->vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL) != VK_SUCCESS || !n)
        return 0;
    VkExtensionProperties *p = calloc(n, sizeof(*p));
    int found = 0;
    if (p && fn->vkEnumerateDeviceExtensionProperties(pd, NULL, &n, p) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = !strcmp(p[i].extensionName, name);
    free(p);
    return found;
}

// The feature chain we query and enable.
typedef struct Features {
    VkPhysicalDeviceFeatures2 f2;
    VkPhysicalDevice16BitStorageFeatures s16;
    VkPhysicalDeviceShaderFloat16Int8FeaturesKHR f16;
    VkPhysicalDeviceCooperativeMatrixFeaturesNV cm;
} Features;

static void features_query(const Fns *fn, VkPhysicalDevice pd, Features *f, int f16_ext,
                           int cm_ext)
{
    memset(f, 0, sizeof(*f));
    f->f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    f->s16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    f->f16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES_KHR;
    f->cm.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV;
    void **next = &f->f2.pNext;
    *next = &f->s16;
    next = &f->s16.pNext;
    if (f16_ext) {
        *next = &f->f16;
        next = &f->f16.pNext;
    }
    if (cm_ext)
        *next = &f->cm;
    fn->vkGetPhysicalDeviceFeatures2(pd, &f->f2);
}

// The 16x16x16 fp16 x fp16 -> fp32 subgroup shape the cooperative-matrix shader uses.
static int coopmat_shape(const Fns *fn, VkPhysicalDevice pd)
{
    if (!fn->vkGetPhysicalDeviceCooperativeMatrixPropertiesNV)
        return 0;
    uint32_t n = 0;
    if (fn->vkGetPhysicalDeviceCooperativeMatrixPropertiesNV(pd, &n, NULL) != VK_SUCCESS || !n)
        return 0;
    VkCooperativeMatrixPropertiesNV *p = calloc(n, sizeof(*p));
    int found = 0;
    for (uint32_t i = 0; p && i < n; i++)
        p[i].sType = VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV;
    if (p && fn->vkGetPhysicalDeviceCooperativeMatrixPropertiesNV(pd, &n, p) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = p[i].MSize == 16 && p[i].NSize == 16 && p[i].KSize == 16 &&
                    p[i].AType == VK_COMPONENT_TYPE_FLOAT16_NV &&
                    p[i].BType == VK_COMPONENT_TYPE_FLOAT16_NV &&
                    p[i].CType == VK_COMPONENT_TYPE_FLOAT32_NV &&
                    p[i].DType == VK_COMPONENT_TYPE_FLOAT32_NV &&
                    p[i].scope == VK_SCOPE_SUBGROUP_NV;
    free(p);
    return found;
}

static void describe(const Fns *fn, VkPhysicalDevice pd, int index, AimVkDeviceInfo *info)
{
    VkPhysicalDeviceProperties pr;
    fn->vkGetPhysicalDeviceProperties(pd, &pr);
    memset(info, 0, sizeof(*info));
    info->index = index;
    snprintf(info->name, sizeof(info->name), "%s", pr.deviceName);
    info->api = pr.apiVersion;
    switch (pr.deviceType) {
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: info->type = AIM_VK_TYPE_INTEGRATED; break;
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: info->type = AIM_VK_TYPE_DISCRETE; break;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: info->type = AIM_VK_TYPE_VIRTUAL; break;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: info->type = AIM_VK_TYPE_CPU; break;
    default: info->type = AIM_VK_TYPE_OTHER; break;
    }
    VkPhysicalDeviceMemoryProperties mp;
    fn->vkGetPhysicalDeviceMemoryProperties(pd, &mp);
    for (uint32_t i = 0; i < mp.memoryHeapCount; i++)
        if (mp.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT &&
            mp.memoryHeaps[i].size > info->memory)
            info->memory = mp.memoryHeaps[i].size;
    if (pr.apiVersion < VK_API_VERSION_1_1)
        return;
    VkPhysicalDeviceSubgroupProperties sp = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
    };
    VkPhysicalDeviceProperties2 p2 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sp,
    };
    fn->vkGetPhysicalDeviceProperties2(pd, &p2);
    info->subgroup = (int)sp.subgroupSize;
    int f16_ext = pr.apiVersion >= VK_API_VERSION_1_2 ||
                  has_device_ext(fn, pd, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    int cm_ext = has_device_ext(fn, pd, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
    Features f;
    features_query(fn, pd, &f, f16_ext, cm_ext);
    info->fp16 = f16_ext && f.f16.shaderFloat16 && f.s16.storageBuffer16BitAccess;
    info->coopmat = info->fp16 && cm_ext && f.cm.cooperativeMatrix && coopmat_shape(fn, pd);
}

int aim_vk_enumerate(AimVkDeviceInfo *infos, int max, int *count, const AimLog *log)
{
    *count = 0;
    Instance in;
    int err = instance_create(&in, log, 0, NULL);
    if (err < 0)
        return err;
    uint32_t n = 0;
    VkResult r = in.fn.vkEnumeratePhysicalDevices(in.inst, &n, NULL);
    VkPhysicalDevice *pd = n ? calloc(n, sizeof(*pd)) : NULL;
    if (r == VK_SUCCESS && n && !pd)
        err = AIM_ERR(ENOMEM);
    else if (r == VK_SUCCESS && n)
        r = in.fn.vkEnumeratePhysicalDevices(in.inst, &n, pd);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE)
        err = vk_error(log, r, "vkEnumeratePhysicalDevices");
    for (uint32_t i = 0; !err && i < n; i++)
        if ((int)i < max)
            describe(&in.fn, pd[i], (int)i, &infos[i]);
    if (!err)
        *count = (int)n;
    free(pd);
    instance_destroy(&in);
    return err;
}

// Picks the physical device: the policy's rank, ties by enumeration order.
static int rank(const AimVkDeviceInfo *info, int policy)
{
    if (info->api < VK_API_VERSION_1_1)
        return -1;
    switch (info->type) {
    case AIM_VK_TYPE_DISCRETE: return 4;
    case AIM_VK_TYPE_INTEGRATED: return 3;
    case AIM_VK_TYPE_VIRTUAL: return 2;
    case AIM_VK_TYPE_CPU: return policy == AIM_VK_ANY ? 1 : -1;
    default: return policy == AIM_VK_ANY ? 0 : -1;
    }
}

// --- the device

static uint32_t pick_family(const Fns *fn, VkPhysicalDevice pd, int *timestamps)
{
    uint32_t n = 0;
    fn->vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, NULL);
    VkQueueFamilyProperties *q = calloc(n ? n : 1, sizeof(*q));
    uint32_t best = UINT32_MAX;
    if (q) {
        fn->vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, q);
        // a compute family without graphics (AMD/NVIDIA async compute) first, then any
        for (uint32_t i = 0; i < n && best == UINT32_MAX; i++)
            if (q[i].queueFlags & VK_QUEUE_COMPUTE_BIT && !(q[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
                best = i;
        for (uint32_t i = 0; i < n && best == UINT32_MAX; i++)
            if (q[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
                best = i;
        *timestamps = best != UINT32_MAX && q[best].timestampValidBits > 0;
    }
    free(q);
    return best;
}

static int env_validation(void)
{
    const char *e = getenv("AIM_VK_VALIDATION");
    return e && *e && strcmp(e, "0");
}

int aim_vk_device_create(AimVkDevice **out, const AimVkSettings *s)
{
    const AimLog *log = &s->log;
    AimVkDevice *d = calloc(1, sizeof(*d));
    if (!d)
        return AIM_ERR(ENOMEM);
    d->log = s->log;
    pthread_mutex_init(&d->lock, NULL);
    int validation = s->validation < 0 ? env_validation() : s->validation;
    int err = instance_create(&d->in, log, validation, d);
    if (err < 0) {
        pthread_mutex_destroy(&d->lock);
        free(d);
        return err;
    }
    const Fns *fn = &d->in.fn;
    uint32_t n = 0;
    VkPhysicalDevice *pd = NULL;
    VkResult r = fn->vkEnumeratePhysicalDevices(d->in.inst, &n, NULL);
    if (r == VK_SUCCESS && n) {
        pd = calloc(n, sizeof(*pd));
        r = pd ? fn->vkEnumeratePhysicalDevices(d->in.inst, &n, pd) : VK_ERROR_OUT_OF_HOST_MEMORY;
    }
    int pick = -1, best = -1;
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
        err = vk_error(log, r, "vkEnumeratePhysicalDevices");
    } else {
        for (uint32_t i = 0; i < n; i++) {
            AimVkDeviceInfo info;
            describe(fn, pd[i], (int)i, &info);
            int rk = s->policy == AIM_VK_INDEX ? ((int)i == s->index &&
                                                  info.api >= VK_API_VERSION_1_1)
                                               : rank(&info, s->policy);
            if (rk > best && rk > 0 - (s->policy == AIM_VK_ANY)) {
                best = rk;
                pick = (int)i;
                d->info = info;
            }
        }
        if (pick < 0) {
            if (s->policy == AIM_VK_INDEX)
                aim_log(log, AIM_LOG_ERROR, "vulkan: no Vulkan 1.1 device %d (%u device(s); "
                        "see `ainimotion devices`)", s->index, n);
            else
                aim_log(log, AIM_LOG_ERROR, "vulkan: no %sVulkan 1.1 device found",
                        s->policy == AIM_VK_AUTO ? "GPU " : "");
            err = AIM_ERR(ENODEV);
        }
    }
    if (err < 0) {
        free(pd);
        aim_vk_device_destroy(&d);
        return err;
    }
    d->phys = pd[pick];
    free(pd);
    d->family = pick_family(fn, d->phys, &d->timestamps);
    if (d->family == UINT32_MAX) {
        aim_log(log, AIM_LOG_ERROR, "vulkan: %s has no compute queue", d->info.name);
        aim_vk_device_destroy(&d);
        return AIM_ERR(ENODEV);
    }
    d->timestamps = d->timestamps && s->timestamps;
    VkPhysicalDeviceProperties pr;
    fn->vkGetPhysicalDeviceProperties(d->phys, &pr);
    d->limits = pr.limits;
    d->timestamps = d->timestamps && pr.limits.timestampPeriod > 0;
    fn->vkGetPhysicalDeviceMemoryProperties(d->phys, &d->mem);
    d->fp16 = d->info.fp16 && s->fp16;
    const char *cm_env = getenv("AIM_VK_COOPMAT");
    d->coopmat = d->fp16 && d->info.coopmat && d->info.subgroup == 32 && cm_env &&
                 !strcmp(cm_env, "1");

    const char *exts[4];
    uint32_t ne = 0;
    int f16_ext = pr.apiVersion < VK_API_VERSION_1_2 &&
                  has_device_ext(fn, d->phys, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    if (d->fp16 && f16_ext)
        exts[ne++] = VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME;
    if (has_device_ext(fn, d->phys, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME)) {
        exts[ne++] = VK_EXT_MEMORY_BUDGET_EXTENSION_NAME;
        d->budget_ext = 1;
    }
    if (d->coopmat)
        exts[ne++] = VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME;
    Features f;
    features_query(fn, d->phys, &f, d->fp16 && (f16_ext || pr.apiVersion >= VK_API_VERSION_1_2),
                   d->coopmat);
    // Enable only what we use: 16-bit storage and fp16 arithmetic, cooperative matrices.
    VkPhysicalDeviceFeatures2 en = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2 };
    VkPhysicalDevice16BitStorageFeatures s16 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
        .storageBuffer16BitAccess = d->fp16 ? VK_TRUE : VK_FALSE,
    };
    VkPhysicalDeviceShaderFloat16Int8FeaturesKHR f16 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES_KHR,
        .shaderFloat16 = d->fp16 ? VK_TRUE : VK_FALSE,
    };
    VkPhysicalDeviceCooperativeMatrixFeaturesNV cm = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV,
        .cooperativeMatrix = VK_TRUE,
    };
    en.features.shaderInt16 = f.f2.features.shaderInt16;
    en.pNext = &s16;
    if (d->fp16) {
        s16.pNext = &f16;
        if (d->coopmat)
            f16.pNext = &cm;
    }
    float prio = 1.0f;
    VkDeviceQueueCreateInfo qci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = d->family,
        .queueCount = 1,
        .pQueuePriorities = &prio,
    };
    VkDeviceCreateInfo dci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .pNext = &en,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &qci,
        .enabledExtensionCount = ne,
        .ppEnabledExtensionNames = exts,
    };
    r = fn->vkCreateDevice(d->phys, &dci, NULL, &d->dev);
    if (r != VK_SUCCESS) {
        err = vk_error(log, r, "vkCreateDevice");
        aim_vk_device_destroy(&d);
        return err;
    }
    Fns *fw = &d->in.fn;
#define LOAD_DEV(name) fw->name = (PFN_##name)fn->vkGetDeviceProcAddr(d->dev, #name);
    VK_DEVICE_FNS(LOAD_DEV)
#undef LOAD_DEV
#define CHECK_DEV(name) || !fn->name
    if (0 VK_DEVICE_FNS(CHECK_DEV)) {
        aim_log(log, AIM_LOG_ERROR, "vulkan: the driver lacks Vulkan 1.1 device entry points");
        if (fn->vkDestroyDevice)
            fn->vkDestroyDevice(d->dev, NULL);
        d->dev = VK_NULL_HANDLE;
        aim_vk_device_destroy(&d);
        return AIM_ERR(ENODEV);
    }
#undef CHECK_DEV
    fn->vkGetDeviceQueue(d->dev, d->family, 0, &d->queue);
    aim_log(log, AIM_LOG_DEBUG, "vulkan: device %d %s (%s), %.0f MiB, fp16 %s, coopmat %s, "
            "validation %s", d->info.index, d->info.name, aim_vk_type_name(d->info.type),
            d->info.memory / 1048576.0, d->fp16 ? "on" : "off",
            d->coopmat ? "on" : "off", d->in.messenger ? "on" : "off");
    *out = d;
    return 0;
}

void aim_vk_device_destroy(AimVkDevice **pd)
{
    AimVkDevice *d = pd ? *pd : NULL;
    if (!d)
        return;
    const Fns *fn = &d->in.fn;
    if (d->dev) {
        aim_log(&d->log, AIM_LOG_DEBUG, "vulkan: device memory peak %.1f MB", d->peak / 1e6);
        fn->vkDeviceWaitIdle(d->dev);
        for (int i = 0; i < d->npipes; i++) {
            fn->vkDestroyPipeline(d->dev, d->pipes[i].pipe, NULL);
            fn->vkDestroyPipelineLayout(d->dev, d->pipes[i].layout, NULL);
            fn->vkDestroyDescriptorSetLayout(d->dev, d->pipes[i].dsl, NULL);
        }
        fn->vkDestroyDevice(d->dev, NULL);
    }
    free(d->pipes);
    instance_destroy(&d->in);
    pthread_mutex_destroy(&d->lock);
    free(d);
    *pd = NULL;
}

const AimVkDeviceInfo *aim_vk_device_info(const AimVkDevice *d) { return &d->info; }
int aim_vk_device_fp16(const AimVkDevice *d) { return d->fp16; }
int aim_vk_device_coopmat(const AimVkDevice *d) { return d->coopmat; }
int aim_vk_device_messages(const AimVkDevice *d) { return atomic_load(&d->messages); }
int aim_vk_device_validating(const AimVkDevice *d) { return d->in.messenger != VK_NULL_HANDLE; }
uint64_t aim_vk_device_max_range(const AimVkDevice *d) { return d->limits.maxStorageBufferRange; }
size_t aim_vk_device_offset_align(const AimVkDevice *d)
{
    return (size_t)d->limits.minStorageBufferOffsetAlignment;
}

uint64_t aim_vk_device_allocated(const AimVkDevice *d, uint64_t *peak)
{
    AimVkDevice *m = (AimVkDevice *)d; // the lock only
    pthread_mutex_lock(&m->lock);
    uint64_t a = d->allocated;
    if (peak)
        *peak = d->peak;
    pthread_mutex_unlock(&m->lock);
    return a;
}

uint64_t aim_vk_device_budget(const AimVkDevice *d)
{
    const Fns *fn = &d->in.fn;
    uint64_t best = 0;
    if (d->budget_ext) {
        VkPhysicalDeviceMemoryBudgetPropertiesEXT b = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT,
        };
        VkPhysicalDeviceMemoryProperties2 mp = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2, .pNext = &b,
        };
        fn->vkGetPhysicalDeviceMemoryProperties2(d->phys, &mp);
        for (uint32_t i = 0; i < mp.memoryProperties.memoryHeapCount; i++) {
            if (!(mp.memoryProperties.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT))
                continue;
            uint64_t left = b.heapBudget[i] > b.heapUsage[i] ? b.heapBudget[i] - b.heapUsage[i] : 0;
            best = left > best ? left : best;
        }
        return best;
    }
    uint64_t used = aim_vk_device_allocated(d, NULL);
    return d->info.memory > used ? d->info.memory - used : 0;
}

// --- buffers

struct AimVkBuffer {
    AimVkDevice *d;
    VkBuffer buf;
    VkDeviceMemory mem;
    size_t bytes;
    uint64_t mem_bytes;
    void *map;
};

static int memory_type(const AimVkDevice *d, uint32_t bits, VkMemoryPropertyFlags want,
                       VkMemoryPropertyFlags prefer)
{
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < d->mem.memoryTypeCount; i++) {
            VkMemoryPropertyFlags f = d->mem.memoryTypes[i].propertyFlags;
            if (bits & (1u << i) && (f & want) == want && (pass || (f & prefer) == prefer))
                return (int)i;
        }
    return -1;
}

int aim_vk_buffer_create(AimVkBuffer **out, AimVkDevice *d, size_t bytes, int kind)
{
    const Fns *fn = &d->in.fn;
    if (atomic_load(&d->lost))
        return AIM_ERR(ENODEV);
    if (!bytes || (kind != AIM_VK_BUF_DEVICE && kind != AIM_VK_BUF_HOST))
        return AIM_ERR(EINVAL);
    AimVkBuffer *b = calloc(1, sizeof(*b));
    if (!b)
        return AIM_ERR(ENOMEM);
    b->d = d;
    b->bytes = bytes;
    VkBufferCreateInfo bci = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = bytes,
        .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkResult r = fn->vkCreateBuffer(d->dev, &bci, NULL, &b->buf);
    int err = 0;
    if (r != VK_SUCCESS) {
        err = vk_error(&d->log, r, "vkCreateBuffer");
        goto fail;
    }
    VkMemoryRequirements req;
    fn->vkGetBufferMemoryRequirements(d->dev, b->buf, &req);
    int type = kind == AIM_VK_BUF_DEVICE
        ? memory_type(d, req.memoryTypeBits, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
        : memory_type(d, req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                      VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    if (type < 0) {
        aim_log(&d->log, AIM_LOG_ERROR, "vulkan: no memory type for a %s buffer",
                kind == AIM_VK_BUF_HOST ? "host" : "device");
        err = AIM_ERR_EXTERNAL;
        goto fail;
    }
    VkMemoryAllocateInfo mai = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = (uint32_t)type,
    };
    r = fn->vkAllocateMemory(d->dev, &mai, NULL, &b->mem);
    if (r != VK_SUCCESS) {
        aim_log(&d->log, AIM_LOG_ERROR, "vulkan: cannot allocate %.1f MiB of %s memory",
                req.size / 1048576.0, kind == AIM_VK_BUF_HOST ? "host-visible" : "device");
        err = vk_error(&d->log, r, "vkAllocateMemory");
        goto fail;
    }
    b->mem_bytes = req.size;
    r = fn->vkBindBufferMemory(d->dev, b->buf, b->mem, 0);
    if (r == VK_SUCCESS && kind == AIM_VK_BUF_HOST)
        r = fn->vkMapMemory(d->dev, b->mem, 0, VK_WHOLE_SIZE, 0, &b->map);
    if (r != VK_SUCCESS) {
        err = vk_error(&d->log, r, "vkBindBufferMemory/vkMapMemory");
        goto fail;
    }
    pthread_mutex_lock(&d->lock);
    d->allocated += b->mem_bytes;
    d->peak = d->allocated > d->peak ? d->allocated : d->peak;
    pthread_mutex_unlock(&d->lock);
    *out = b;
    return 0;
fail:
    b->mem_bytes = 0;
    aim_vk_buffer_destroy(&b);
    return err;
}

void aim_vk_buffer_destroy(AimVkBuffer **pb)
{
    AimVkBuffer *b = pb ? *pb : NULL;
    if (!b)
        return;
    AimVkDevice *d = b->d;
    if (b->buf)
        d->in.fn.vkDestroyBuffer(d->dev, b->buf, NULL);
    if (b->mem)
        d->in.fn.vkFreeMemory(d->dev, b->mem, NULL); // unmaps
    pthread_mutex_lock(&d->lock);
    d->allocated -= b->mem_bytes;
    pthread_mutex_unlock(&d->lock);
    free(b);
    *pb = NULL;
}

size_t aim_vk_buffer_size(const AimVkBuffer *b) { return b->bytes; }
void *aim_vk_buffer_map(AimVkBuffer *b) { return b->map; }

// --- pipelines

static const AimVkShaderBlob *find_shader(const char *name)
{
    for (int i = 0; i < aim_vk_nshaders; i++)
        if (!strcmp(aim_vk_shaders[i].name, name))
            return &aim_vk_shaders[i];
    return NULL;
}

// The cached pipeline for this dispatch's key, created on first use. Called with d->lock held.
static int get_pipeline(AimVkDevice *d, const AimVkDispatch *q, const Pipeline **out)
{
    const Fns *fn = &d->in.fn;
    for (int i = 0; i < d->npipes; i++) {
        const Pipeline *p = &d->pipes[i];
        if (p->nspec == q->nspec && p->nbind == q->nbind && p->push_bytes == q->push_bytes &&
            !strcmp(p->name, q->shader) &&
            (!q->nspec || !memcmp(p->spec, q->spec, sizeof(int32_t) * (size_t)q->nspec))) {
            *out = p;
            return 0;
        }
    }
    const AimVkShaderBlob *blob = find_shader(q->shader);
    if (!blob) {
        aim_log(&d->log, AIM_LOG_ERROR, "vulkan: shader '%s' is not in this build", q->shader);
        return AIM_ERR_UNSUPPORTED;
    }
    if (d->npipes == d->cap_pipes) {
        int cap = d->cap_pipes ? 2 * d->cap_pipes : 32;
        Pipeline *np = realloc(d->pipes, sizeof(Pipeline) * (size_t)cap);
        if (!np)
            return AIM_ERR(ENOMEM);
        d->pipes = np;
        d->cap_pipes = cap;
    }
    Pipeline p = { .nspec = q->nspec, .nbind = q->nbind, .push_bytes = q->push_bytes };
    snprintf(p.name, sizeof(p.name), "%s", q->shader);
    if (q->nspec)
        memcpy(p.spec, q->spec, sizeof(int32_t) * (size_t)q->nspec);
    VkDescriptorSetLayoutBinding lb[AIM_VK_MAX_BIND];
    for (int i = 0; i < q->nbind; i++)
        lb[i] = (VkDescriptorSetLayoutBinding){ (uint32_t)i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                               VK_SHADER_STAGE_COMPUTE_BIT, NULL };
    VkDescriptorSetLayoutCreateInfo dci = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = (uint32_t)q->nbind,
        .pBindings = lb,
    };
    VkPushConstantRange pcr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, (uint32_t)q->push_bytes };
    VkShaderModule mod = VK_NULL_HANDLE;
    VkShaderModuleCreateInfo sci = {
        .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
        .codeSize = blob->words * 4,
        .pCode = blob->code,
    };
    VkSpecializationMapEntry me[AIM_VK_MAX_SPEC];
    for (int i = 0; i < q->nspec; i++)
        me[i] = (VkSpecializationMapEntry){ (uint32_t)i, (uint32_t)(4 * i), 4 };
    VkSpecializationInfo si = { (uint32_t)q->nspec, me, 4 * (size_t)q->nspec, p.spec };
    VkResult r = fn->vkCreateDescriptorSetLayout(d->dev, &dci, NULL, &p.dsl);
    const char *what = "vkCreateDescriptorSetLayout";
    if (r == VK_SUCCESS) {
        VkPipelineLayoutCreateInfo lci = {
            .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
            .setLayoutCount = 1,
            .pSetLayouts = &p.dsl,
            .pushConstantRangeCount = q->push_bytes > 0,
            .pPushConstantRanges = &pcr,
        };
        r = fn->vkCreatePipelineLayout(d->dev, &lci, NULL, &p.layout);
        what = "vkCreatePipelineLayout";
    }
    if (r == VK_SUCCESS) {
        r = fn->vkCreateShaderModule(d->dev, &sci, NULL, &mod);
        what = "vkCreateShaderModule";
    }
    if (r == VK_SUCCESS) {
        VkComputePipelineCreateInfo cci = {
            .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
            .stage = {
                .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = mod,
                .pName = "main",
                .pSpecializationInfo = q->nspec ? &si : NULL,
            },
            .layout = p.layout,
        };
        r = fn->vkCreateComputePipelines(d->dev, VK_NULL_HANDLE, 1, &cci, NULL, &p.pipe);
        what = "vkCreateComputePipelines";
        fn->vkDestroyShaderModule(d->dev, mod, NULL);
    }
    if (r != VK_SUCCESS) {
        if (p.layout)
            fn->vkDestroyPipelineLayout(d->dev, p.layout, NULL);
        if (p.dsl)
            fn->vkDestroyDescriptorSetLayout(d->dev, p.dsl, NULL);
        aim_log(&d->log, AIM_LOG_ERROR, "vulkan: pipeline for shader '%s'", q->shader);
        return vk_error(&d->log, r, what);
    }
    d->pipes[d->npipes] = p;
    *out = &d->pipes[d->npipes++];
    return 0;
}

// --- command lists

// Timestamps per command list: two queries per dispatch, at most this many timed dispatches per
// submit (a realesr tile is ~40 dispatches, RIFE ~400); later ones run untimed.
#define MAX_TIMED 2048
// Descriptor sets per pool; pools are chained when a list records more dispatches.
#define POOL_SETS 512
// Per-label totals kept for the summary printed at destroy.
#define MAX_LABELS 512

typedef struct LabelTime {
    char label[48];
    double ms;
    int n;
} LabelTime;

// Scratch buffers one recording may outgrow: each growth at least doubles (from
// SCRATCH_MIN), so 16 per kind (device, host) cover 2^16 times the first size.
#define MAX_RETIRED 32
#define SCRATCH_MIN 65536 // bytes: the partial sums of 64 channels x 256 groups (pooling.c)

static void free_retired(AimVkCmd *c);

struct AimVkCmd {
    AimVkDevice *d;
    VkCommandPool pool;
    VkCommandBuffer cb;
    VkFence fence;
    VkDescriptorPool *pools;
    int npools, cur_pool;
    VkQueryPool qp;
    int ntimed;
    char (*labels)[48];
    LabelTime *totals;
    int ntotals;
    double gpu_ms;
    int recording, failed;
    int pending;      ///< submitted, fence not yet waited for (aim_vk_cmd_flush)
    // aim_vk_cmd_scratch / aim_vk_cmd_staging: a bump allocator over scratch[kind] (kind:
    // AIM_VK_BUF_DEVICE / AIM_VK_BUF_HOST); buffers they outgrew while recording stay alive
    // until the submission is done (freed at the next begin)
    AimVkBuffer *scratch[2];
    size_t scratch_used[2];
    AimVkBuffer *shared; ///< aim_vk_cmd_scratch_shared: one range every caller reuses
    AimVkBuffer *retired[MAX_RETIRED];
    int nretired;
};

int aim_vk_cmd_create(AimVkCmd **out, AimVkDevice *d)
{
    const Fns *fn = &d->in.fn;
    AimVkCmd *c = calloc(1, sizeof(*c));
    if (!c)
        return AIM_ERR(ENOMEM);
    c->d = d;
    VkCommandPoolCreateInfo pci = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
        .queueFamilyIndex = d->family,
    };
    VkResult r = fn->vkCreateCommandPool(d->dev, &pci, NULL, &c->pool);
    const char *what = "vkCreateCommandPool";
    if (r == VK_SUCCESS) {
        VkCommandBufferAllocateInfo ai = {
            .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
            .commandPool = c->pool,
            .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
            .commandBufferCount = 1,
        };
        r = fn->vkAllocateCommandBuffers(d->dev, &ai, &c->cb);
        what = "vkAllocateCommandBuffers";
    }
    if (r == VK_SUCCESS) {
        VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
        r = fn->vkCreateFence(d->dev, &fci, NULL, &c->fence);
        what = "vkCreateFence";
    }
    if (r == VK_SUCCESS && d->timestamps) {
        VkQueryPoolCreateInfo qci = {
            .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
            .queryType = VK_QUERY_TYPE_TIMESTAMP,
            .queryCount = 2 * MAX_TIMED,
        };
        r = fn->vkCreateQueryPool(d->dev, &qci, NULL, &c->qp);
        what = "vkCreateQueryPool";
        c->labels = calloc(MAX_TIMED, sizeof(*c->labels));
        c->totals = calloc(MAX_LABELS, sizeof(*c->totals));
        if (r == VK_SUCCESS && (!c->labels || !c->totals))
            r = VK_ERROR_OUT_OF_HOST_MEMORY;
    }
    if (r != VK_SUCCESS) {
        int err = vk_error(&d->log, r, what);
        aim_vk_cmd_destroy(&c);
        return err;
    }
    *out = c;
    return 0;
}

void aim_vk_cmd_destroy(AimVkCmd **pc)
{
    AimVkCmd *c = pc ? *pc : NULL;
    if (!c)
        return;
    AimVkDevice *d = c->d;
    const Fns *fn = &d->in.fn;
    if (c->pending)
        aim_vk_cmd_wait(c); // the command buffer and the buffers it uses may still be read
    if (c->ntotals) {
        double all = 0;
        for (int i = 0; i < c->ntotals; i++)
            all += c->totals[i].ms;
        aim_log(&d->log, AIM_LOG_DEBUG, "vulkan: GPU time per label (%.1f ms in all):", all);
        for (int i = 0; i < c->ntotals; i++)
            aim_log(&d->log, AIM_LOG_DEBUG, "vulkan:   %-40s %10.3f ms %5.1f%% (%d)",
                    c->totals[i].label, c->totals[i].ms,
                    all > 0 ? 100 * c->totals[i].ms / all : 0, c->totals[i].n);
    }
    for (int i = 0; i < c->npools; i++)
        fn->vkDestroyDescriptorPool(d->dev, c->pools[i], NULL);
    if (c->qp)
        fn->vkDestroyQueryPool(d->dev, c->qp, NULL);
    if (c->fence)
        fn->vkDestroyFence(d->dev, c->fence, NULL);
    if (c->pool)
        fn->vkDestroyCommandPool(d->dev, c->pool, NULL); // frees the command buffer
    free_retired(c);
    aim_vk_buffer_destroy(&c->scratch[0]);
    aim_vk_buffer_destroy(&c->scratch[1]);
    aim_vk_buffer_destroy(&c->shared);
    free(c->pools);
    free(c->labels);
    free(c->totals);
    free(c);
    *pc = NULL;
}

static void free_retired(AimVkCmd *c)
{
    for (int i = 0; i < c->nretired; i++)
        aim_vk_buffer_destroy(&c->retired[i]);
    c->nretired = 0;
}

static int cmd_alloc(AimVkCmd *c, int kind, size_t bytes, AimVkBinding *out)
{
    if (!c->recording || !bytes)
        return AIM_ERR(EINVAL);
    // 64 at least: the host reads staged outputs in place as tensors (net.h: 64-byte aligned)
    size_t align = (size_t)c->d->limits.minStorageBufferOffsetAlignment;
    align = align < 64 ? 64 : align;
    AimVkBuffer **buf = &c->scratch[kind];
    size_t at = (c->scratch_used[kind] + align - 1) / align * align;
    if (!*buf || at > (*buf)->bytes || bytes > (*buf)->bytes - at) {
        size_t size = *buf ? 2 * (*buf)->bytes : SCRATCH_MIN;
        size = size > bytes ? size : bytes;
        if (*buf) {
            if (c->nretired == MAX_RETIRED)
                return AIM_ERR(ENOMEM);
            c->retired[c->nretired++] = *buf;
            *buf = NULL;
        }
        int err = aim_vk_buffer_create(buf, c->d, size, kind);
        if (err < 0)
            return err;
        at = 0;
    }
    c->scratch_used[kind] = at + bytes;
    *out = (AimVkBinding){ *buf, at, bytes };
    return 0;
}

int aim_vk_cmd_scratch(AimVkCmd *c, size_t bytes, AimVkBinding *out)
{
    return cmd_alloc(c, AIM_VK_BUF_DEVICE, bytes, out);
}

int aim_vk_cmd_scratch_shared(AimVkCmd *c, size_t bytes, AimVkBinding *out)
{
    if (!c->recording || !bytes)
        return AIM_ERR(EINVAL);
    if (!c->shared || bytes > c->shared->bytes) {
        // the smaller one may still be read by the dispatches recorded before: kept alive until
        // the submission is done, as cmd_alloc's (growth at least doubles, as there)
        size_t size = c->shared && 2 * c->shared->bytes > bytes ? 2 * c->shared->bytes : bytes;
        if (c->shared) {
            if (c->nretired == MAX_RETIRED)
                return AIM_ERR(ENOMEM);
            c->retired[c->nretired++] = c->shared;
            c->shared = NULL;
        }
        int err = aim_vk_buffer_create(&c->shared, c->d, size, AIM_VK_BUF_DEVICE);
        if (err < 0)
            return err;
    }
    *out = (AimVkBinding){ c->shared, 0, bytes };
    return 0;
}

int aim_vk_cmd_staging(AimVkCmd *c, size_t bytes, AimVkBinding *out)
{
    return cmd_alloc(c, AIM_VK_BUF_HOST, bytes, out);
}

int aim_vk_cmd_begin(AimVkCmd *c)
{
    AimVkDevice *d = c->d;
    const Fns *fn = &d->in.fn;
    if (atomic_load(&d->lost))
        return AIM_ERR(ENODEV);
    if (c->pending) {
        int err = aim_vk_cmd_wait(c);
        if (err < 0)
            return err;
    }
    for (int i = 0; i < c->npools; i++)
        fn->vkResetDescriptorPool(d->dev, c->pools[i], 0);
    c->cur_pool = 0;
    c->ntimed = 0;
    c->failed = 0;
    free_retired(c); // the previous submission is done (waited for above)
    c->scratch_used[0] = c->scratch_used[1] = 0;
    VkResult r = fn->vkResetCommandBuffer(c->cb, 0);
    VkCommandBufferBeginInfo bi = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
        .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
    };
    if (r == VK_SUCCESS)
        r = fn->vkBeginCommandBuffer(c->cb, &bi);
    if (r != VK_SUCCESS)
        return vk_error(&d->log, r, "vkBeginCommandBuffer");
    if (c->qp)
        fn->vkCmdResetQueryPool(c->cb, c->qp, 0, 2 * MAX_TIMED);
    c->recording = 1;
    return 0;
}

static int alloc_set(AimVkCmd *c, VkDescriptorSetLayout dsl, VkDescriptorSet *set)
{
    AimVkDevice *d = c->d;
    const Fns *fn = &d->in.fn;
    for (;;) {
        if (c->cur_pool == c->npools) {
            VkDescriptorPool *np = realloc(c->pools, sizeof(*np) * (size_t)(c->npools + 1));
            if (!np)
                return AIM_ERR(ENOMEM);
            c->pools = np;
            VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                        POOL_SETS * AIM_VK_MAX_BIND };
            VkDescriptorPoolCreateInfo pci = {
                .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                .maxSets = POOL_SETS,
                .poolSizeCount = 1,
                .pPoolSizes = &ps,
            };
            VkResult r = fn->vkCreateDescriptorPool(d->dev, &pci, NULL, &c->pools[c->npools]);
            if (r != VK_SUCCESS)
                return vk_error(&d->log, r, "vkCreateDescriptorPool");
            c->npools++;
        }
        VkDescriptorSetAllocateInfo ai = {
            .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
            .descriptorPool = c->pools[c->cur_pool],
            .descriptorSetCount = 1,
            .pSetLayouts = &dsl,
        };
        VkResult r = fn->vkAllocateDescriptorSets(d->dev, &ai, set);
        if (r == VK_SUCCESS)
            return 0;
        if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL)
            return vk_error(&d->log, r, "vkAllocateDescriptorSets");
        c->cur_pool++;
    }
}

int aim_vk_cmd_dispatch(AimVkCmd *c, const AimVkDispatch *q)
{
    AimVkDevice *d = c->d;
    const Fns *fn = &d->in.fn;
    if (!c->recording || q->nspec < 0 || q->nspec > AIM_VK_MAX_SPEC || q->nbind < 0 ||
        q->nbind > AIM_VK_MAX_BIND || q->push_bytes < 0 || q->push_bytes > AIM_VK_MAX_PUSH ||
        q->push_bytes % 4 || !q->groups[0] || !q->groups[1] || !q->groups[2])
        return AIM_ERR(EINVAL);
    if (q->groups[0] > d->limits.maxComputeWorkGroupCount[0] ||
        q->groups[1] > d->limits.maxComputeWorkGroupCount[1] ||
        q->groups[2] > d->limits.maxComputeWorkGroupCount[2]) {
        aim_log(&d->log, AIM_LOG_ERROR, "vulkan: %s: %ux%ux%u work groups exceed the device's "
                "limit", q->shader, q->groups[0], q->groups[1], q->groups[2]);
        return AIM_ERR(ERANGE);
    }
    VkDescriptorBufferInfo bi[AIM_VK_MAX_BIND];
    VkWriteDescriptorSet w[AIM_VK_MAX_BIND];
    for (int i = 0; i < q->nbind; i++) {
        const AimVkBinding *b = &q->bind[i];
        size_t size = b->size ? b->size : b->buf->bytes - b->offset;
        if (b->offset % d->limits.minStorageBufferOffsetAlignment || b->offset >= b->buf->bytes ||
            size > b->buf->bytes - b->offset || size > d->limits.maxStorageBufferRange) {
            aim_log(&d->log, AIM_LOG_ERROR, "vulkan: %s: binding %d (offset %zu, %zu bytes) "
                    "outside its %zu-byte buffer, misaligned or over the device's range",
                    q->shader, i, b->offset, size, b->buf->bytes);
            return AIM_ERR(ERANGE);
        }
        bi[i] = (VkDescriptorBufferInfo){ b->buf->buf, b->offset, size };
    }
    // a copy of the handles: another thread may grow (move) the cache once the lock is gone
    pthread_mutex_lock(&d->lock);
    const Pipeline *pp = NULL;
    int err = get_pipeline(d, q, &pp);
    Pipeline pc = err < 0 ? (Pipeline){ .nbind = 0 } : *pp;
    pthread_mutex_unlock(&d->lock);
    if (err < 0)
        return err;
    const Pipeline *p = &pc;
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (q->nbind) {
        err = alloc_set(c, p->dsl, &set);
        if (err < 0)
            return err;
        for (int i = 0; i < q->nbind; i++)
            w[i] = (VkWriteDescriptorSet){
                .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                .dstSet = set,
                .dstBinding = (uint32_t)i,
                .descriptorCount = 1,
                .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                .pBufferInfo = &bi[i],
            };
        fn->vkUpdateDescriptorSets(d->dev, (uint32_t)q->nbind, w, 0, NULL);
    }
    fn->vkCmdBindPipeline(c->cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipe);
    if (q->nbind)
        fn->vkCmdBindDescriptorSets(c->cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, 1, &set,
                                    0, NULL);
    if (q->push_bytes)
        fn->vkCmdPushConstants(c->cb, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                               (uint32_t)q->push_bytes, q->push);
    int timed = c->qp && c->ntimed < MAX_TIMED;
    if (timed)
        fn->vkCmdWriteTimestamp(c->cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, c->qp,
                                (uint32_t)(2 * c->ntimed));
    fn->vkCmdDispatch(c->cb, q->groups[0], q->groups[1], q->groups[2]);
    if (timed) {
        fn->vkCmdWriteTimestamp(c->cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, c->qp,
                                (uint32_t)(2 * c->ntimed + 1));
        snprintf(c->labels[c->ntimed], sizeof(c->labels[0]), "%s",
                 q->label ? q->label : q->shader);
        c->ntimed++;
    }
    return 0;
}

int aim_vk_cmd_copy(AimVkCmd *c, AimVkBuffer *src, size_t src_off, AimVkBuffer *dst,
                    size_t dst_off, size_t bytes)
{
    if (!c->recording || !bytes || src_off > src->bytes || bytes > src->bytes - src_off ||
        dst_off > dst->bytes || bytes > dst->bytes - dst_off)
        return AIM_ERR(EINVAL);
    VkBufferCopy bc = { src_off, dst_off, bytes };
    c->d->in.fn.vkCmdCopyBuffer(c->cb, src->buf, dst->buf, 1, &bc);
    return 0;
}

int aim_vk_cmd_fill(AimVkCmd *c, AimVkBuffer *dst, size_t off, size_t bytes, uint32_t value)
{
    if (!c->recording || !bytes || off % 4 || bytes % 4 || off > dst->bytes ||
        bytes > dst->bytes - off)
        return AIM_ERR(EINVAL);
    c->d->in.fn.vkCmdFillBuffer(c->cb, dst->buf, off, bytes, value);
    return 0;
}

void aim_vk_cmd_barrier(AimVkCmd *c)
{
    if (!c->recording)
        return;
    VkMemoryBarrier mb = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                         VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT |
                         VK_ACCESS_HOST_READ_BIT,
    };
    c->d->in.fn.vkCmdPipelineBarrier(c->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
                                     VK_PIPELINE_STAGE_TRANSFER_BIT,
                                     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
                                     VK_PIPELINE_STAGE_TRANSFER_BIT |
                                     VK_PIPELINE_STAGE_HOST_BIT,
                                     0, 1, &mb, 0, NULL, 0, NULL);
}

static void add_total(AimVkCmd *c, const char *label, double ms)
{
    for (int i = 0; i < c->ntotals; i++)
        if (!strcmp(c->totals[i].label, label)) {
            c->totals[i].ms += ms;
            c->totals[i].n++;
            return;
        }
    if (c->ntotals == MAX_LABELS)
        return;
    LabelTime *t = &c->totals[c->ntotals++];
    snprintf(t->label, sizeof(t->label), "%s", label);
    t->ms = ms;
    t->n = 1;
}

// A failed submit or wait; a lost device fails every later call (AimVkDevice.lost).
static int queue_error(AimVkDevice *d, VkResult r, const char *what)
{
    if (r == VK_ERROR_DEVICE_LOST)
        atomic_store(&d->lost, 1);
    return vk_error(&d->log, r, what);
}

int aim_vk_cmd_flush(AimVkCmd *c)
{
    AimVkDevice *d = c->d;
    const Fns *fn = &d->in.fn;
    if (!c->recording)
        return AIM_ERR(EINVAL);
    c->recording = 0;
    VkResult r = fn->vkEndCommandBuffer(c->cb);
    if (r != VK_SUCCESS)
        return vk_error(&d->log, r, "vkEndCommandBuffer");
    r = fn->vkResetFences(d->dev, 1, &c->fence);
    if (r != VK_SUCCESS)
        return vk_error(&d->log, r, "vkResetFences");
    VkSubmitInfo si = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &c->cb,
    };
    pthread_mutex_lock(&d->lock);
    r = fn->vkQueueSubmit(d->queue, 1, &si, c->fence);
    pthread_mutex_unlock(&d->lock);
    if (r != VK_SUCCESS)
        return queue_error(d, r, "vkQueueSubmit");
    c->pending = 1;
    return 0;
}

int aim_vk_cmd_wait(AimVkCmd *c)
{
    AimVkDevice *d = c->d;
    const Fns *fn = &d->in.fn;
    if (!c->pending)
        return AIM_ERR(EINVAL);
    c->pending = 0;
    VkResult r = fn->vkWaitForFences(d->dev, 1, &c->fence, VK_TRUE, UINT64_MAX);
    if (r != VK_SUCCESS)
        return queue_error(d, r, "vkWaitForFences");
    c->gpu_ms = 0;
    if (c->qp && c->ntimed) {
        uint64_t *ts = malloc(sizeof(uint64_t) * 2 * (size_t)c->ntimed);
        if (ts && fn->vkGetQueryPoolResults(d->dev, c->qp, 0, (uint32_t)(2 * c->ntimed),
                                            sizeof(uint64_t) * 2 * (size_t)c->ntimed, ts,
                                            sizeof(uint64_t), VK_QUERY_RESULT_64_BIT |
                                            VK_QUERY_RESULT_WAIT_BIT) == VK_SUCCESS) {
            for (int i = 0; i < c->ntimed; i++) {
                double ms = (double)(ts[2 * i + 1] - ts[2 * i]) *
                            d->limits.timestampPeriod * 1e-6;
                c->gpu_ms += ms;
                add_total(c, c->labels[i], ms);
            }
            aim_log(&d->log, AIM_LOG_DEBUG, "vulkan: submit of %d dispatches: %.3f ms GPU",
                    c->ntimed, c->gpu_ms);
        }
        free(ts);
    }
    return 0;
}

int aim_vk_cmd_submit(AimVkCmd *c)
{
    int err = aim_vk_cmd_flush(c);
    return err < 0 ? err : aim_vk_cmd_wait(c);
}

double aim_vk_cmd_gpu_ms(const AimVkCmd *c) { return c->gpu_ms; }

#endif
