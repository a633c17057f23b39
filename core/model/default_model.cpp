#include "model/default_model.h"

#include <cstdlib>

namespace rnnpool {

std::filesystem::path defaultModelPath()
{
    std::filesystem::path resources = RNNPOOL_RESOURCE_DIR;
    if (const char* env = std::getenv("RNNPOOL_RESOURCE_DIR"); env && *env)
        resources = env;
    return resources / "models" / "rnnpool_face_m4.safetensors";
}

Expected<Model> loadDefaultModel()
{
    std::error_code ec;
    if (std::filesystem::exists(defaultModelPath(), ec))
        return loadModel(defaultModelPath());
    return randomModel(kDefaultArchitecture, kDefaultRandomSeed);
}

} // namespace rnnpool
