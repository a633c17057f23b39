// Tensor: an owning, dense, row-major float32 array with a shape.
// Activations inside the engine are CHW (batch 1). Weights keep the layout of
// the file they came from, e.g. OIHW for convolutions.
//
//   Tensor t({3, 240, 320});
//   t.at(c, y, x) = 1.0f;
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace rnnpool {

using Shape = std::vector<int64_t>;

std::string shapeToString(const Shape& shape); // "[128,64,1,1]"
int64_t shapeNumel(const Shape& shape);

class Tensor {
public:
    Tensor() = default;
    explicit Tensor(Shape shape, float fill = 0.0f);
    Tensor(Shape shape, std::vector<float> data); // data.size() must equal numel
    // A tensor over memory it does not own (e.g. a slice of a planned arena).
    // Copying any tensor makes an owning deep copy; moving keeps the view.
    static Tensor view(float* data, Shape shape);
    // An owning tensor whose elements are not initialised: for outputs that
    // are overwritten whole (every op's eval writes all of its output).
    static Tensor uninitialized(Shape shape);

    Tensor(const Tensor& other);
    Tensor& operator=(const Tensor& other);
    Tensor(Tensor&& other) noexcept;
    Tensor& operator=(Tensor&& other) noexcept;
    ~Tensor() = default;

    const Shape& shape() const { return m_shape; }
    int64_t dim(size_t i) const { return m_shape[i]; }
    size_t rank() const { return m_shape.size(); }
    int64_t numel() const { return m_numel; }
    bool empty() const { return m_numel == 0; }
    bool isView() const { return m_data != nullptr && m_storage.empty() && !m_raw; }

    float* data() { return m_data; }
    const float* data() const { return m_data; }

    // Same data, new shape with the same element count.
    void reshape(Shape shape);

    // CHW accessors for rank-3 tensors.
    float& at(int64_t c, int64_t y, int64_t x) { return m_data[(c * m_shape[1] + y) * m_shape[2] + x]; }
    float at(int64_t c, int64_t y, int64_t x) const { return m_data[(c * m_shape[1] + y) * m_shape[2] + x]; }

    // Owned storage starts on a cache line, so a plane whose size is a
    // multiple of 16 floats has every packet of 16 on one line (a load that
    // straddles two lines costs about twice as much).
    static constexpr size_t kAlignment = 64;

private:
    struct AlignedDelete {
        void operator()(float* p) const { ::operator delete[](p, std::align_val_t{kAlignment}); }
    };
    static std::unique_ptr<float[], AlignedDelete> allocate(int64_t numel);

    Shape m_shape;
    std::vector<float> m_storage; // data handed over by Tensor(shape, data); empty otherwise
    std::unique_ptr<float[], AlignedDelete> m_raw; // every other owned storage, aligned
    float* m_data = nullptr;
    int64_t m_numel = 0;
};

// Named tensors as a checkpoint holds them (state-dict order is not kept;
// lookups are by name).
using TensorMap = std::map<std::string, Tensor>;

} // namespace rnnpool
