#include "mcu/model_emit.h"

#include <algorithm>
#include <sstream>

#include "integer/rnnpool_q15.h"
#include "mcu/c_emitter.h"

namespace rnnpool {

namespace {

std::vector<int64_t> widen8(const std::vector<int8_t>& v) { return {v.begin(), v.end()}; }
std::vector<int64_t> widen32(const std::vector<int32_t>& v) { return {v.begin(), v.end()}; }
std::vector<int64_t> widenPtr16(const int16_t* p, size_t n) { return {p, p + n}; }
std::vector<int64_t> widenPtr32(const int32_t* p, size_t n) { return {p, p + n}; }

std::string cellLiteral(const rp_fastgrnn_q15_cell& x, const std::string& p)
{
    return "{.W = " + p + "W, .U = " + p + "U, .bias_gate = " + p + "bg, .bias_update = " + p + "bh, .zeta_q15 = " +
           cNumber(x.zeta_q15) + ", .nu_q15 = " + cNumber(x.nu_q15) + ", .input_dims = " + cNumber(x.input_dims) +
           ", .hidden_dims = " + cNumber(x.hidden_dims) + ", .h_frac_bits = " + cNumber(x.h_frac_bits) + ", .wx = {" +
           cNumber(x.wx.mult) + ", " + cNumber(x.wx.shift) + "}, .uh = {" + cNumber(x.uh.mult) + ", " +
           cNumber(x.uh.shift) + "}}";
}

std::string cellData(const rp_fastgrnn_q15_cell& x, const std::string& p, uint64_t& bytes)
{
    const auto in = static_cast<size_t>(x.input_dims), hid = static_cast<size_t>(x.hidden_dims);
    bytes += 2 * (hid * in + hid * hid) + 8 * hid;
    return "static " + cArray("int16_t", p + "W", widenPtr16(x.W, hid * in)) + "static " +
           cArray("int16_t", p + "U", widenPtr16(x.U, hid * hid)) + "static " +
           cArray("int32_t", p + "bg", widenPtr32(x.bias_gate, hid)) + "static " +
           cArray("int32_t", p + "bh", widenPtr32(x.bias_update, hid));
}

// "{a, b, c}", appended piece by piece (GCC 12 warns falsely, -Wrestrict, on "{" + string).
std::string braced(std::initializer_list<std::string> items)
{
    std::string out(1, '{');
    for (const std::string& item : items) {
        if (out.size() > 1)
            out += ", ";
        out += item;
    }
    out += '}';
    return out;
}

} // namespace

std::string cNumber(int64_t v) { return std::to_string(v); }

std::string nodePrefix(int node)
{
    std::string pre(1, 'n'); // appended: GCC 12 warns falsely (-Wrestrict) on "n" + string + "_"
    pre += cNumber(node);
    pre += '_';
    return pre;
}

std::string convLayerLiteral(const Int8Network& net, int node, std::string& data, std::string& code, uint64_t& bytes)
{
    const Int8Network::Prepared& p = net.prepared(static_cast<size_t>(node));
    const std::string pre = nodePrefix(node);
    data += convArrays(p, pre, bytes);
    code += "        static const rp_conv_shape_t " + pre + "shape = " + convShapeLiteral(p.shape) + ";\n";
    code += "        static const rp_conv_quant_t " + pre + "quant = " + convQuantLiteral(p, pre) + ";\n";
    std::string layer(1, '{');
    layer += "&" + pre + "shape, &" + pre + "quant, " + pre + "weights, " + (p.bias.empty() ? std::string("0") : pre + "bias");
    layer += '}';
    return layer;
}

std::string convShapeLiteral(const rp_conv_shape_t& s)
{
    std::ostringstream o;
    o << "{" << s.in_channels << ", " << s.in_height << ", " << s.in_width << ", " << s.out_channels << ", "
      << s.kernel_h << ", " << s.kernel_w << ", " << s.stride_h << ", " << s.stride_w << ", " << s.pad_h << ", "
      << s.pad_w << "}";
    return o.str();
}

std::string convArrays(const Int8Network::Prepared& p, const std::string& pre, uint64_t& bytes)
{
    std::string data = "static " + cArray("int8_t", pre + "weights", widen8(p.weights));
    if (!p.bias.empty())
        data += "static " + cArray("int32_t", pre + "bias", widen32(p.bias));
    data += "static " + cArray("int32_t", pre + "multiplier", widen32(p.multiplier));
    data += "static " + cArray("int32_t", pre + "shift", widen32(p.shift));
    bytes += p.weights.size() + 4 * (p.bias.size() + p.multiplier.size() + p.shift.size());
    return data;
}

std::string convQuantLiteral(const Int8Network::Prepared& p, const std::string& pre)
{
    return braced({cNumber(p.conv.input_offset), cNumber(p.conv.output_offset), cNumber(p.conv.activation_min),
                   cNumber(p.conv.activation_max), pre + "multiplier", pre + "shift"});
}

std::string addQuantLiteral(const rp_add_quant_t& a)
{
    return braced({cNumber(a.input1_offset), cNumber(a.input2_offset), cNumber(a.left_shift), cNumber(a.input1_multiplier),
                   cNumber(a.input1_shift), cNumber(a.input2_multiplier), cNumber(a.input2_shift),
                   cNumber(a.output_multiplier), cNumber(a.output_shift), cNumber(a.output_offset),
                   cNumber(a.activation_min), cNumber(a.activation_max)});
}

std::string rnnpoolConfig(const rp_rnnpool_s8q15_config& c, const std::string& pre, std::string& data, uint64_t& bytes)
{
    data += cellData(c.rnn1, pre + "r1", bytes);
    data += cellData(c.rnn2_forward, pre + "r2f", bytes);
    data += cellData(c.rnn2_backward, pre + "r2b", bytes);
    return "{\n    .rnn1 = " + cellLiteral(c.rnn1, pre + "r1") + ",\n    .rnn2_forward = " +
           cellLiteral(c.rnn2_forward, pre + "r2f") + ",\n    .rnn2_backward = " + cellLiteral(c.rnn2_backward, pre + "r2b") +
           ",\n    .channels = " + cNumber(c.channels) + ", .patch = " + cNumber(c.patch) + ", .stride = " +
           cNumber(c.stride) + ", .pad_bottom_right = " + cNumber(c.pad_bottom_right) + ", .input_zero_point = " +
           cNumber(c.input_zero_point) + ", .out = {" + cNumber(c.out.mult) + ", " + cNumber(c.out.shift) +
           "}, .output_zero_point = " + cNumber(c.output_zero_point) + "}";
}

std::string rnnpoolChannelQuant(const RnnPoolInt8& pool, const std::string& pre, std::string& data, uint64_t& bytes)
{
    if (pool.channelMultiplier().empty())
        return "";
    data += "static " + cArray("int32_t", pre + "ch_multiplier", widen32(pool.channelMultiplier()));
    data += "static " + cArray("int32_t", pre + "ch_shift", widen32(pool.channelShift()));
    data += "static " + cArray("int32_t", pre + "ch_zero_point", widen32(pool.channelZeroPoint()));
    bytes += 12 * pool.channelMultiplier().size();
    return braced({pre + "ch_multiplier", pre + "ch_shift", pre + "ch_zero_point"});
}

void irBlockStatic(const Int8Network& net, const Int8UnitParts& parts, std::string& data, std::string& code, uint64_t& bytes)
{
    const std::string expand =
        parts.expand >= 0 ? convLayerLiteral(net, parts.expand, data, code, bytes) : "{0, 0, 0, 0}";
    const std::string depthwise = convLayerLiteral(net, parts.depthwise, data, code, bytes);
    const std::string project = convLayerLiteral(net, parts.project, data, code, bytes);
    std::string add = "0";
    if (parts.add >= 0) {
        code += "        static const rp_add_quant_t add = " + addQuantLiteral(net.prepared(static_cast<size_t>(parts.add)).add) +
                ";\n";
        add = "&add";
    }
    code += "        static const rp_ir_s8_block block = " + braced({expand, depthwise, project, add}) + ";\n";
}

RnnPoolStreamLiterals rnnPoolStreamStatics(const Int8Network& net, const Int8UnitParts& parts, std::string& data,
                                           std::string& code, uint64_t& bytes)
{
    RnnPoolStreamLiterals out;
    for (int conv : parts.convs)
        out.convs += (out.convs.empty() ? "" : ", ") + convLayerLiteral(net, conv, data, code, bytes);
    const Int8Network::Prepared& pool = net.prepared(static_cast<size_t>(parts.pool));
    const std::string pre = nodePrefix(parts.pool);
    code += "        static const rp_rnnpool_s8q15_config config = " + rnnpoolConfig(pool.rnnpool.config(), pre, data, bytes) +
            ";\n";
    const std::string channels = rnnpoolChannelQuant(pool.rnnpool, pre, data, bytes);
    out.channels = channels.empty() ? "0" : "&channels";
    if (!channels.empty())
        code += "        static const rp_rnnpool_s8_channel_quant channels = " + channels + ";\n";
    return out;
}

std::string layerCall(const Int8Network::Prepared& p, const std::string& pre, const std::vector<std::string>& in,
                      const Shape& in0, const std::string& out, int64_t outBytes, std::string& data, uint64_t& weightBytes,
                      uint64_t& scratchBytes, bool windowRows)
{
    using Kind = Int8Network::Prepared::Kind;
    const auto pixels = in0[1] * in0[2];
    std::string code;
    switch (p.kind) {
    case Kind::Conv:
    case Kind::Depthwise:
    case Kind::Pointwise: {
        rp_conv_shape_t shape = p.shape;
        shape.in_height = static_cast<int32_t>(in0[1]);
        shape.in_width = static_cast<int32_t>(in0[2]);
        if (windowRows)
            shape.pad_h = 0;
        const int32_t need = p.kind == Kind::Conv        ? rp_conv_s8_scratch_size(&shape)
                             : p.kind == Kind::Depthwise ? rp_depthwise_conv_s8_scratch_size(&shape)
                                                         : rp_pointwise_conv_s8_scratch_size(&shape);
        scratchBytes = std::max<uint64_t>(scratchBytes, static_cast<uint64_t>(need));
        data += convArrays(p, pre, weightBytes);
        const char* fn = p.kind == Kind::Conv        ? "rp_conv_s8"
                         : p.kind == Kind::Depthwise ? "rp_depthwise_conv_s8"
                                                     : "rp_pointwise_conv_s8";
        code += "        static const rp_conv_shape_t shape = " + convShapeLiteral(shape) + ";\n";
        code += "        static const rp_conv_quant_t quant = " + convQuantLiteral(p, pre) + ";\n";
        code += std::string("        ") + fn + "(&shape, &quant, " + in[0] + ", " + pre + "weights, " +
                (p.bias.empty() ? std::string("0") : pre + "bias") + ", scratch, " + out + ");\n";
        break;
    }
    case Kind::Add:
        code += "        static const rp_add_quant_t quant = " + addQuantLiteral(p.add) + ";\n";
        code += "        rp_add_s8(&quant, " + in[0] + ", " + in[1] + ", " + cNumber(outBytes) + ", " + out + ");\n";
        break;
    case Kind::L2Norm:
        data += "static " + cArray("int32_t", pre + "multiplier", {p.multiplier.begin(), p.multiplier.end()});
        data += "static " + cArray("int32_t", pre + "shift", {p.shift.begin(), p.shift.end()});
        weightBytes += 4 * (p.multiplier.size() + p.shift.size());
        code += "        static const rp_l2norm_quant_t quant = " +
                braced({cNumber(p.l2.input_offset), cNumber(p.l2.output_offset), pre + "multiplier", pre + "shift"}) + ";\n";
        code += "        rp_l2norm_s8(&quant, " + in[0] + ", " + cNumber(pixels) + ", " + cNumber(in0[0]) + ", " + out + ");\n";
        break;
    case Kind::MaxOut:
        code += "        rp_background_maxout_s8(" + in[0] + ", " + cNumber(pixels) + ", " + cNumber(in0[0]) + ", " +
                cNumber(p.background) + ", " + out + ");\n";
        break;
    case Kind::RnnPool:
        break;
    }
    return code;
}

std::string modelHeader(const ModelHeaderFacts& f)
{
    const int64_t rowBytes = f.inputChw[0] * f.inputChw[2];
    const bool lineBuffer = f.schedule == "linebuffer";
    const std::string rows = lineBuffer ? "a line buffer of " + cNumber(f.ringRows) +
                                               " rows\n * (oldest first; rows no layer needs any more are dropped as new ones come), filled as the\n"
                                              " * network needs them"
                             : f.ringRows > 0 ? "a ring of " + cNumber(f.ringRows) + " rows (row y at slot y % " +
                                                    cNumber(f.ringRows) + "), filled as the network needs them"
                                              : "the whole picture, all rows first";
    const std::string hook = lineBuffer ? " * hook(layer, 0, 0) runs after every row a step makes (layer -1: a picture row is in), then\n"
                                          " * hook(layer, output, bytes) once for each output map, which is kept whole.\n"
                                        : " * hook(layer, output, bytes) runs after every step (layer -1: the picture is in).\n";
    return "/* rnnpool_model.h: the generated int8 network (" + f.network + ", input " + shapeToString(f.inputChw) +
           " CHW, fed as int8 HWC rows; schedule " + f.schedule + ").\n *\n"
           " *   static int8_t arena[RP_MODEL_ARENA_BYTES];\n"
           " *   static uint32_t scratch[(RP_MODEL_SCRATCH_BYTES + 3) / 4];\n"
           " *   void rows(int32_t y, int8_t* dst);   // copies picture row y (RP_MODEL_INPUT_ROW_BYTES) to dst\n"
           " *   int status = rp_model_run(arena, scratch, hook, rows);   // 0, or 1 + the layer that refused\n"
           " *\n * rows() is asked for rows 0 .. RP_MODEL_INPUT_HEIGHT - 1 in order, once each: a camera's DMA\n"
           " * can deliver them. They go to arena + RP_MODEL_INPUT_OFFSET: " + rows + ".\n" +
           hook + " * No allocation; every buffer is the caller's.\n */\n"
           "#ifndef RNNPOOL_MODEL_H\n#define RNNPOOL_MODEL_H\n\n#include <stdint.h>\n\n"
           "#define RP_MODEL_LAYERS " + cNumber(f.layers) + "\n#define RP_MODEL_INPUT_OFFSET " + cNumber(f.inputOffset) +
           "\n#define RP_MODEL_INPUT_HEIGHT " + cNumber(f.inputChw[1]) + "\n#define RP_MODEL_INPUT_ROW_BYTES " +
           cNumber(rowBytes) + "\n#define RP_MODEL_INPUT_RING_ROWS " + cNumber(f.ringRows) +
           (lineBuffer ? " /* the picture's line buffer */" : " /* 0: the whole picture is held */") +
           "\n#define RP_MODEL_ARENA_BYTES " + cNumber(f.arenaBytes) +
           "\n#define RP_MODEL_SCRATCH_BYTES " + cNumber(f.scratchBytes) +
           (lineBuffer ? "\n#define RP_MODEL_HOOK_EVERY_ROW 1 /* hook(layer, 0, 0) after every row a step makes */" : "") +
           "\n\ntypedef void (*rp_layer_hook)(int layer, const int8_t* output, int32_t bytes);\n"
           "typedef void (*rp_row_source)(int32_t y, int8_t* dst);\n"
           "int rp_model_run(int8_t* arena, void* scratch, rp_layer_hook hook, rp_row_source rows);\n"
           "extern const char* const rp_model_layer_names[RP_MODEL_LAYERS];\n"
           "/* 1 for the detection heads' layers (loc and conf maps, HWC int8). */\n"
           "extern const uint8_t rp_model_layer_is_output[RP_MODEL_LAYERS];\n" + f.extra + "\n#endif\n";
}

std::string wholePictureFeed(const Shape& inputChw, int64_t inputOffset)
{
    const int64_t rowBytes = inputChw[0] * inputChw[2];
    return "    for (int32_t y = 0; y < " + cNumber(inputChw[1]) + "; ++y)\n        rows(y, arena + " + cNumber(inputOffset) +
           " + y * " + cNumber(rowBytes) + ");\n    hook(-1, arena + " + cNumber(inputOffset) + ", " +
           cNumber(shapeNumel(inputChw)) + ");\n";
}

} // namespace rnnpool
