#include "onnx/onnx_constants.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "util/checked.h"
#include "util/limits.h"

namespace rnnpool {

namespace {

std::vector<double> asReals(const OnnxConstant& c)
{
    std::vector<double> out;
    if (c.isInteger)
        for (int64_t v : c.ints) out.push_back(static_cast<double>(v));
    else
        for (int64_t i = 0; i < c.values.numel(); ++i) out.push_back(c.values.data()[i]);
    return out;
}

OnnxConstant realConstant(Shape shape, const std::vector<double>& values)
{
    OnnxConstant c;
    c.shape = std::move(shape);
    std::vector<float> f(values.begin(), values.end());
    c.values = Tensor(c.shape.empty() ? Shape{1} : c.shape, std::move(f));
    return c;
}

OnnxConstant withShape(const OnnxConstant& c, Shape shape)
{
    OnnxConstant out = c;
    out.shape = shape;
    if (!out.isInteger)
        out.values.reshape(shape.empty() ? Shape{1} : shape);
    return out;
}

int64_t normAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// The row-major strides of a shape.
std::vector<int64_t> stridesOf(const Shape& shape)
{
    std::vector<int64_t> strides(shape.size(), 1);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
        strides[static_cast<size_t>(d)] = strides[static_cast<size_t>(d + 1)] * shape[static_cast<size_t>(d + 1)];
    return strides;
}

// A strided view of x as a new constant of `shape`: element c (a coordinate)
// is x[offset + sum_d c[d] * strides[d]] (Slice and Transpose both are this).
OnnxConstant stridedCopy(const OnnxConstant& x, const Shape& shape, int64_t offset, const std::vector<int64_t>& strides)
{
    const int64_t rank = static_cast<int64_t>(shape.size()), count = shapeNumel(shape);
    std::vector<int64_t> ints;
    std::vector<double> reals;
    const auto xr = asReals(x);
    for (int64_t flat = 0; flat < count; ++flat) {
        int64_t rem = flat, src = offset;
        for (int64_t d = rank - 1; d >= 0; --d) {
            src += (rem % shape[static_cast<size_t>(d)]) * strides[static_cast<size_t>(d)];
            rem /= shape[static_cast<size_t>(d)];
        }
        if (x.isInteger)
            ints.push_back(x.ints[static_cast<size_t>(src)]);
        else
            reals.push_back(xr[static_cast<size_t>(src)]);
    }
    return x.isInteger ? intConstant(shape, ints) : realConstant(shape, reals);
}

// Numpy broadcasting of two shapes; empty optional when they do not broadcast.
bool broadcastShape(const Shape& a, const Shape& b, Shape& out)
{
    const size_t rank = std::max(a.size(), b.size());
    out.assign(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
        const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1)
            return false;
        out[i] = std::max(da, db);
    }
    return true;
}

Expected<OnnxConstant> elementwise(const std::string& op, const OnnxConstant& a, const OnnxConstant& b)
{
    Shape shape;
    if (!broadcastShape(a.shape, b.shape, shape))
        return makeError("shapes " + shapeToString(a.shape) + " and " + shapeToString(b.shape) + " do not broadcast");
    const auto numel = checkedNumel(shape);
    if (!numel || *numel > std::max({limits::kMaxFoldedElements, a.numel(), b.numel()}))
        return makeError("the result of shape " + shapeToString(shape) + " is too large to fold (kMaxFoldedElements in core/util/limits.h)");
    const int64_t n = *numel;
    const auto index = [&](const Shape& s, int64_t flat) {
        int64_t idx = 0, stride = 1;
        for (int64_t d = static_cast<int64_t>(shape.size()) - 1, rem = flat; d >= 0; --d) {
            const int64_t coord = rem % shape[d];
            rem /= shape[d];
            const int64_t sd = d - static_cast<int64_t>(shape.size() - s.size());
            if (sd >= 0) {
                idx += (s[sd] == 1 ? 0 : coord) * stride;
                stride *= s[sd];
            }
        }
        return idx;
    };
    if (a.isInteger && b.isInteger) {
        std::vector<int64_t> out(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
            const int64_t x = a.ints[index(a.shape, i)], y = b.ints[index(b.shape, i)];
            bool overflow = false;
            if (op == "Add") overflow = __builtin_add_overflow(x, y, &out[i]);
            else if (op == "Sub") overflow = __builtin_sub_overflow(x, y, &out[i]);
            else if (op == "Mul") overflow = __builtin_mul_overflow(x, y, &out[i]);
            else {
                if (y == 0)
                    return makeError("integer division by zero");
                overflow = x == std::numeric_limits<int64_t>::min() && y == -1;
                if (!overflow)
                    out[i] = x / y; // ONNX Div on integers truncates, as C++ does
            }
            if (overflow)
                return makeError("integer " + op + " of " + std::to_string(x) + " and " + std::to_string(y) + " overflows 64 bits");
        }
        return intConstant(shape, std::move(out));
    }
    const auto x = asReals(a), y = asReals(b);
    std::vector<double> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const double p = x[index(a.shape, i)], q = y[index(b.shape, i)];
        out[i] = op == "Add" ? p + q : op == "Sub" ? p - q : op == "Mul" ? p * q : p / q;
    }
    return realConstant(shape, out);
}

} // namespace

OnnxConstant intConstant(Shape shape, std::vector<int64_t> values)
{
    OnnxConstant c;
    c.shape = std::move(shape);
    c.isInteger = true;
    c.ints = std::move(values);
    return c;
}

bool canFoldConstant(const OnnxNode& node)
{
    static const std::set<std::string> ops{"Constant", "Identity", "Cast", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat",
                                           "Reshape", "Add", "Sub", "Mul", "Div", "Slice", "ConstantOfShape", "Transpose", "Flatten"};
    return node.domain.empty() && ops.count(node.opType);
}

Expected<std::vector<OnnxConstant>> foldConstantNode(const OnnxNode& node, const std::vector<const OnnxConstant*>& in)
{
    const std::string& op = node.opType;
    const auto need = [&](size_t n) { return in.size() >= n && std::all_of(in.begin(), in.begin() + static_cast<long>(n), [](auto* p) { return p; }); };
    if (op == "Constant") {
        if (const OnnxAttribute* v = node.attribute("value"); v && v->tensor)
            return std::vector<OnnxConstant>{*v->tensor};
        if (const OnnxAttribute* v = node.attribute("value_float"))
            return std::vector<OnnxConstant>{realConstant({}, {v->f})};
        if (const OnnxAttribute* v = node.attribute("value_floats"))
            return std::vector<OnnxConstant>{realConstant({static_cast<int64_t>(v->floats.size())}, std::vector<double>(v->floats.begin(), v->floats.end()))};
        if (const OnnxAttribute* v = node.attribute("value_int"))
            return std::vector<OnnxConstant>{intConstant({}, {v->i})};
        if (const OnnxAttribute* v = node.attribute("value_ints"))
            return std::vector<OnnxConstant>{intConstant({static_cast<int64_t>(v->ints.size())}, v->ints)};
        return makeError("a Constant without a numeric value");
    }
    if (!need(1))
        return makeError("an input is missing");
    const OnnxConstant& x = *in[0];
    if (op == "Identity")
        return std::vector<OnnxConstant>{x};
    if (op == "Cast") {
        const int64_t to = node.intOr("to", 1);
        const bool toInteger = to == 2 || to == 3 || to == 4 || to == 5 || to == 6 || to == 7 || to == 9 || to == 12 || to == 13;
        if (toInteger == x.isInteger)
            return std::vector<OnnxConstant>{x};
        if (toInteger) {
            std::vector<int64_t> v;
            for (double r : asReals(x)) {
                // Beyond int64 (or NaN) the cast is undefined: refused instead.
                if (!(std::fabs(r) < 9.2e18))
                    return makeError("Cast of " + std::to_string(r) + " to an integer is out of range");
                v.push_back(static_cast<int64_t>(std::trunc(r)));
            }
            return std::vector<OnnxConstant>{intConstant(x.shape, std::move(v))};
        }
        return std::vector<OnnxConstant>{realConstant(x.shape, asReals(x))};
    }
    if (op == "Shape")
        return std::vector<OnnxConstant>{intConstant({static_cast<int64_t>(x.shape.size())}, x.shape)};
    if (op == "ConstantOfShape") {
        if (!x.isInteger || x.ints.size() > 8)
            return makeError("ConstantOfShape needs an integer shape");
        Shape shape(x.ints.begin(), x.ints.end());
        const auto numel = checkedNumel(shape);
        if (!numel || *numel > limits::kMaxFoldedElements)
            return makeError("ConstantOfShape of shape " + shapeToString(shape) +
                             " is negative or too large (kMaxFoldedElements in core/util/limits.h)");
        const OnnxAttribute* v = node.attribute("value");
        if (v && v->tensor && v->tensor->isInteger && v->tensor->ints.empty())
            return makeError("ConstantOfShape's value tensor is empty");
        if (v && v->tensor && v->tensor->isInteger)
            return std::vector<OnnxConstant>{intConstant(shape, std::vector<int64_t>(static_cast<size_t>(shapeNumel(shape)), v->tensor->ints.at(0)))};
        const double fill = v && v->tensor && v->tensor->numel() > 0 ? static_cast<double>(v->tensor->values.data()[0]) : 0.0;
        return std::vector<OnnxConstant>{realConstant(shape, std::vector<double>(static_cast<size_t>(shapeNumel(shape)), fill))};
    }
    if (op == "Unsqueeze" || op == "Squeeze") {
        std::vector<int64_t> axes = node.intsOr("axes", {});
        if (in.size() > 1 && in[1]) // opset 13: axes as an input
            axes = in[1]->ints;
        Shape shape = x.shape;
        if (op == "Unsqueeze") {
            const int64_t rank = static_cast<int64_t>(shape.size() + axes.size());
            std::vector<int64_t> norm;
            for (int64_t a : axes) norm.push_back(normAxis(a, rank));
            std::sort(norm.begin(), norm.end());
            for (int64_t a : norm) {
                if (a < 0 || a > static_cast<int64_t>(shape.size()))
                    return makeError("Unsqueeze axis out of range");
                shape.insert(shape.begin() + a, 1);
            }
        } else {
            Shape out;
            const int64_t rank = static_cast<int64_t>(shape.size());
            for (int64_t d = 0; d < rank; ++d) {
                const bool listed = axes.empty() ? shape[d] == 1
                                                 : std::any_of(axes.begin(), axes.end(), [&](int64_t a) { return normAxis(a, rank) == d; });
                if (!listed)
                    out.push_back(shape[d]);
            }
            shape = out;
        }
        return std::vector<OnnxConstant>{withShape(x, shape)};
    }
    if (op == "Flatten") {
        const int64_t rank = static_cast<int64_t>(x.shape.size());
        const int64_t axis = normAxis(node.intOr("axis", 1), rank);
        int64_t outer = 1;
        for (int64_t d = 0; d < axis && d < rank; ++d) outer *= x.shape[d];
        return std::vector<OnnxConstant>{withShape(x, {outer, x.numel() / std::max<int64_t>(outer, 1)})};
    }
    if (op == "Gather") {
        if (!need(2) || !in[1]->isInteger)
            return makeError("Gather needs integer indices");
        const OnnxConstant& idx = *in[1];
        const int64_t axis = normAxis(node.intOr("axis", 0), static_cast<int64_t>(x.shape.size()));
        if (x.shape.size() != 1 || axis != 0)
            return makeError("Gather is folded only on 1-D data");
        std::vector<int64_t> ints;
        std::vector<double> reals;
        const auto xr = asReals(x);
        for (int64_t i : idx.ints) {
            const int64_t j = i < 0 ? i + x.shape[0] : i;
            if (j < 0 || j >= x.shape[0])
                return makeError("Gather index " + std::to_string(i) + " is out of range");
            if (x.isInteger) ints.push_back(x.ints[j]);
            else reals.push_back(xr[j]);
        }
        return std::vector<OnnxConstant>{x.isInteger ? intConstant(idx.shape, ints) : realConstant(idx.shape, reals)};
    }
    if (op == "Concat") {
        for (const OnnxConstant* c : in)
            if (!c || c->shape.size() != 1)
                return makeError("Concat is folded only on 1-D constants");
        const bool integer = std::all_of(in.begin(), in.end(), [](auto* c) { return c->isInteger; });
        std::vector<int64_t> ints;
        std::vector<double> reals;
        for (const OnnxConstant* c : in) {
            if (integer) ints.insert(ints.end(), c->ints.begin(), c->ints.end());
            else { auto r = asReals(*c); reals.insert(reals.end(), r.begin(), r.end()); }
        }
        const int64_t n = integer ? static_cast<int64_t>(ints.size()) : static_cast<int64_t>(reals.size());
        return std::vector<OnnxConstant>{integer ? intConstant({n}, ints) : realConstant({n}, reals)};
    }
    if (op == "Reshape") {
        if (!need(2) || !in[1]->isInteger)
            return makeError("Reshape needs an integer shape");
        Shape shape;
        int64_t known = 1, infer = -1;
        for (size_t i = 0; i < in[1]->ints.size(); ++i) {
            int64_t d = in[1]->ints[i];
            if (d == 0 && node.intOr("allowzero", 0) == 0)
                d = i < x.shape.size() ? x.shape[i] : 1;
            if (d == -1) {
                infer = static_cast<int64_t>(i);
                d = 1;
            } else if (d < 0) {
                return makeError("Reshape to a negative dimension");
            } else if (!checkedMul(known, d).has_value() || *checkedMul(known, d) > limits::kMaxFoldedElements) {
                return makeError("Reshape to " + std::to_string(d) + " in dimension " + std::to_string(i) + " makes too many elements");
            } else {
                known *= d;
            }
            shape.push_back(d);
        }
        if (infer >= 0)
            shape[infer] = known == 0 ? 0 : x.numel() / known;
        if (!boundedExtent(shape, limits::kMaxParameters) || shapeNumel(shape) != x.numel())
            return makeError("Reshape of " + shapeToString(x.shape) + " to " + shapeToString(shape) + " changes the element count");
        return std::vector<OnnxConstant>{withShape(x, shape)};
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
        if (!need(2))
            return makeError("an input is missing");
        auto r = elementwise(op, x, *in[1]);
        if (!r)
            return std::move(r).takeError();
        return std::vector<OnnxConstant>{std::move(*r)};
    }
    if (op == "Slice") {
        // Any rank, any axes, positive or negative steps (ONNX's clamping rules).
        if (!need(3) || !in[1]->isInteger || !in[2]->isInteger)
            return makeError("Slice needs integer starts and ends");
        const int64_t rank = static_cast<int64_t>(x.shape.size());
        std::vector<int64_t> axes;
        if (in.size() > 3 && in[3])
            axes = in[3]->ints;
        else
            for (size_t i = 0; i < in[1]->ints.size(); ++i) axes.push_back(static_cast<int64_t>(i));
        std::vector<int64_t> steps = in.size() > 4 && in[4] ? in[4]->ints : std::vector<int64_t>(axes.size(), 1);
        if (axes.size() != in[1]->ints.size() || axes.size() != in[2]->ints.size() || steps.size() != axes.size())
            return makeError("Slice with starts, ends, axes and steps of different lengths");
        std::vector<int64_t> begin(static_cast<size_t>(rank), 0), step(static_cast<size_t>(rank), 1);
        Shape shape = x.shape;
        for (size_t i = 0; i < axes.size(); ++i) {
            const int64_t a = normAxis(axes[i], rank);
            if (a < 0 || a >= rank || steps[i] == 0)
                return makeError("Slice axis out of range or step 0");
            const int64_t n = x.shape[a];
            int64_t st = in[1]->ints[i], en = in[2]->ints[i];
            if (st < 0) st += n;
            if (en < 0) en += n;
            // A step longer than the axis takes at most one element: shortened to
            // the axis, so that no sum below can overflow.
            const int64_t reach = std::max<int64_t>(n, 1);
            const int64_t stepI = std::clamp<int64_t>(steps[i], -reach, reach);
            if (stepI > 0) {
                st = std::clamp<int64_t>(st, 0, n);
                en = std::clamp<int64_t>(en, 0, n);
                shape[a] = std::max<int64_t>(0, (en - st + stepI - 1) / stepI);
            } else {
                st = std::clamp<int64_t>(st, -1, n - 1);
                en = std::clamp<int64_t>(en, -1, n - 1);
                shape[a] = std::max<int64_t>(0, (st - en + (-stepI) - 1) / (-stepI));
            }
            begin[a] = st;
            step[a] = stepI;
        }
        const std::vector<int64_t> inStride = stridesOf(x.shape);
        int64_t offset = 0;
        std::vector<int64_t> strides(static_cast<size_t>(rank));
        for (int64_t d = 0; d < rank; ++d) {
            offset += begin[d] * inStride[d];
            strides[d] = step[d] * inStride[d];
        }
        return std::vector<OnnxConstant>{stridedCopy(x, shape, offset, strides)};
    }
    if (op == "Transpose") {
        const int64_t rank = static_cast<int64_t>(x.shape.size());
        std::vector<int64_t> perm = node.intsOr("perm", {});
        if (perm.empty())
            for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
        if (static_cast<int64_t>(perm.size()) != rank)
            return makeError("Transpose perm does not match the rank");
        Shape shape(static_cast<size_t>(rank));
        for (int64_t d = 0; d < rank; ++d) {
            if (perm[d] < 0 || perm[d] >= rank)
                return makeError("Transpose perm out of range");
            shape[d] = x.shape[perm[d]];
        }
        const std::vector<int64_t> inStride = stridesOf(x.shape);
        std::vector<int64_t> strides(static_cast<size_t>(rank));
        for (int64_t d = 0; d < rank; ++d)
            strides[d] = inStride[perm[d]];
        return std::vector<OnnxConstant>{stridedCopy(x, shape, 0, strides)};
    }
    return makeError("op " + op + " is not folded");
}

} // namespace rnnpool
