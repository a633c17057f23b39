#include "tensor/tensor.h"

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

Tensor::Tensor(Shape shape, float fill)
    : m_shape(std::move(shape))
    , m_data(static_cast<size_t>(shapeNumel(m_shape)), fill)
{
}

Tensor::Tensor(Shape shape, std::vector<float> data)
    : m_shape(std::move(shape))
    , m_data(std::move(data))
{
    assert(static_cast<int64_t>(m_data.size()) == shapeNumel(m_shape));
}

void Tensor::reshape(Shape shape)
{
    assert(shapeNumel(shape) == numel());
    m_shape = std::move(shape);
}

} // namespace rnnpool
