#include "engine/threads.h"

#include <omp.h>

namespace rnnpool {

void setEngineThreads(int threads)
{
    omp_set_num_threads(threads);
}

int engineThreads() { return omp_get_max_threads(); }

} // namespace rnnpool
