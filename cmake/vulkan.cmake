# The Vulkan compute backend (issue 11). Found: the Vulkan headers (pkg-config `vulkan`,
# Debian libvulkan-dev) and glslc. The loader itself is opened at run time (dlopen), so the
# binary starts and runs on the CPU where no Vulkan driver is installed.
#
# Shaders: every src/nn/vk/*.comp is compiled by glslc into two SPIR-V modules, "<name>" (fp32
# storage and arithmetic, AIM_FP16=0) and "<name>_fp16" (fp16 storage and arithmetic,
# AIM_FP16=1), checked with spirv-val when it is installed, and embedded in the binary by
# cmake/embed_spirv.cmake as the table aim_vk_shaders[] (src/vk/vk.h). src/nn/vk/*.glsl are
# includes (they trigger a rebuild). Missing headers or glslc, or -DAIM_VULKAN=OFF:
# AIM_HAVE_VULKAN=0, the table is empty and --device vulkan fails with a message.
option(AIM_VULKAN "Build the Vulkan backend when its headers and glslc are found" ON)
if(AIM_VULKAN)
  pkg_check_modules(VULKAN IMPORTED_TARGET vulkan)
  find_program(GLSLC glslc)
  find_program(SPIRV_VAL spirv-val)
endif()
set(AIM_VK_GEN ${CMAKE_BINARY_DIR}/vk_shaders.c)
if(AIM_VULKAN AND VULKAN_FOUND AND GLSLC)
  set(AIM_HAVE_VULKAN 1)
  file(GLOB AIM_VK_COMP CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/nn/vk/*.comp)
  file(GLOB AIM_VK_INC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/nn/vk/*.glsl)
  set(spvs "")
  set(spv_files "")
  foreach(comp ${AIM_VK_COMP})
    get_filename_component(name ${comp} NAME_WE)
    foreach(fp16 0 1)
      if(fp16)
        set(var ${name}_fp16)
      else()
        set(var ${name})
      endif()
      set(spv ${CMAKE_BINARY_DIR}/spv/${var}.spv)
      set(val_cmd "")
      if(SPIRV_VAL)
        set(val_cmd COMMAND ${SPIRV_VAL} --target-env vulkan1.1 ${spv})
      endif()
      add_custom_command(OUTPUT ${spv}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/spv
        COMMAND ${GLSLC} --target-env=vulkan1.1 -O -Werror -DAIM_FP16=${fp16}
                -I ${CMAKE_SOURCE_DIR}/src/nn/vk -o ${spv} ${comp}
        ${val_cmd}
        DEPENDS ${comp} ${AIM_VK_INC}
        COMMENT "glslc ${var}" VERBATIM)
      list(APPEND spvs "${var}=${spv}")
      list(APPEND spv_files ${spv})
    endforeach()
  endforeach()
  add_custom_command(OUTPUT ${AIM_VK_GEN}
    COMMAND ${CMAKE_COMMAND} "-DSPVS=${spvs}" -DOUT=${AIM_VK_GEN}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_spirv.cmake
    DEPENDS ${spv_files} ${CMAKE_SOURCE_DIR}/cmake/embed_spirv.cmake
    COMMENT "embedding SPIR-V" VERBATIM)
else()
  set(AIM_HAVE_VULKAN 0)
  message(STATUS "Vulkan off, or its headers or glslc not found: building without the GPU backend")
  file(WRITE ${AIM_VK_GEN}.tmp "#include \"vk/vk.h\"\nconst AimVkShaderBlob aim_vk_shaders[] = { { 0, 0, 0 } };\nconst int aim_vk_nshaders = 0;\n")
  configure_file(${AIM_VK_GEN}.tmp ${AIM_VK_GEN} COPYONLY)
endif()
