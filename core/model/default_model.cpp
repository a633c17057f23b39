#include "model/default_model.h"
#include "util/resource_dir.h"

#include <cstdlib>

namespace rnnpool {

std::filesystem::path defaultModelPath()
{
    return resourceDir() / "models" / "rnnpool_face_m4.safetensors";
}

Expected<Model> loadDefaultModel()
{
    std::error_code ec;
    if (std::filesystem::exists(defaultModelPath(), ec))
        return loadModel(defaultModelPath());
    return randomModel(kDefaultArchitecture, kDefaultRandomSeed);
}

} // namespace rnnpool
