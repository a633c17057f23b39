#include "tensor/tensor.h"

#include <algorithm>
#include <cassert>
#include <sstream>

namespace rnnpool {

std::string shapeToString(const Shape& shape)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < shape.size(); ++i)
        out << (i ? "," : "") << shape[i];
    out << ']';
    return out.str();
}

int64_t shapeNumel(const Shape& shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

std::unique_ptr<float[], Tensor::AlignedDelete> Tensor::allocate(int64_t numel)
{
    // Elements are default-initialised: no fill.
    return std::unique_ptr<float[], AlignedDelete>(new (std::align_val_t{kAlignment}) float[static_cast<size_t>(numel)]);
}

Tensor::Tensor(Shape shape, float fill)
    : m_shape(std::move(shape))
    , m_raw(allocate(shapeNumel(m_shape)))
    , m_data(m_raw.get())
    , m_numel(shapeNumel(m_shape))
{
    std::fill(m_data, m_data + m_numel, fill);
}

Tensor::Tensor(Shape shape, std::vector<float> data)
    : m_shape(std::move(shape))
    , m_storage(std::move(data))
    , m_data(m_storage.data())
    , m_numel(static_cast<int64_t>(m_storage.size()))
{
    assert(m_numel == shapeNumel(m_shape));
}

Tensor Tensor::view(float* data, Shape shape)
{
    Tensor t;
    t.m_numel = shapeNumel(shape);
    t.m_shape = std::move(shape);
    t.m_data = data;
    return t;
}

Tensor Tensor::uninitialized(Shape shape)
{
    Tensor t;
    t.m_numel = shapeNumel(shape);
    t.m_shape = std::move(shape);
    t.m_raw = allocate(t.m_numel);
    t.m_data = t.m_raw.get();
    return t;
}

Tensor::Tensor(const Tensor& other)
    : m_shape(other.m_shape)
    , m_raw(allocate(other.m_numel))
    , m_data(m_raw.get())
    , m_numel(other.m_numel)
{
    std::copy(other.m_data, other.m_data + other.m_numel, m_data);
}

Tensor& Tensor::operator=(const Tensor& other)
{
    if (this != &other) {
        Tensor copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Tensor::Tensor(Tensor&& other) noexcept
    : m_shape(std::move(other.m_shape))
    , m_storage(std::move(other.m_storage))
    , m_raw(std::move(other.m_raw))
    , m_data(other.m_data)
    , m_numel(other.m_numel)
{
    other.m_data = nullptr;
    other.m_numel = 0;
    other.m_shape.clear();
}

Tensor& Tensor::operator=(Tensor&& other) noexcept
{
    if (this != &other) {
        m_shape = std::move(other.m_shape);
        m_storage = std::move(other.m_storage);
        m_raw = std::move(other.m_raw);
        m_data = other.m_data;
        m_numel = other.m_numel;
        other.m_data = nullptr;
        other.m_numel = 0;
        other.m_shape.clear();
    }
    return *this;
}

void Tensor::reshape(Shape shape)
{
    assert(shapeNumel(shape) == numel());
    m_shape = std::move(shape);
}

} // namespace rnnpool
