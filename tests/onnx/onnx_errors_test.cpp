// Broken and hostile ONNX files are refused with a message naming the file
// and the problem, before anything large is allocated.
#include <gtest/gtest.h>

#include "model/model.h"
#include "onnx/onnx_test_data.h"

namespace rnnpool {
namespace {

std::string loadError(const std::string& name)
{
    auto m = loadModel(onnxtest::model(name));
    return m ? std::string("(loaded)") : m.error();
}

TEST(OnnxErrors, UnsupportedOpNamesTheNodeTheOpAndTheFile)
{
    const std::string e = loadError("bad_unsupported_op");
    EXPECT_NE(e.find("bad_unsupported_op.onnx"), std::string::npos) << e;
    EXPECT_NE(e.find("the_erf"), std::string::npos) << e;
    EXPECT_NE(e.find("'Erf' is not supported"), std::string::npos) << e;
}

TEST(OnnxErrors, TruncatedFile)
{
    const std::string e = loadError("bad_truncated");
    EXPECT_NE(e.find("bad_truncated.onnx"), std::string::npos) << e;
    EXPECT_NE(e.find("truncated or not an ONNX model"), std::string::npos) << e;
}

TEST(OnnxErrors, CycleNamesANodeOnIt)
{
    const std::string e = loadError("bad_cycle");
    EXPECT_NE(e.find("bad_cycle.onnx"), std::string::npos) << e;
    EXPECT_NE(e.find("cycle"), std::string::npos) << e;
    EXPECT_TRUE(e.find("node_a") != std::string::npos || e.find("node_b") != std::string::npos) << e;
}

TEST(OnnxErrors, HugeInitialiserIsRefusedByItsDeclaredSize)
{
    const std::string e = loadError("bad_huge_initialiser");
    EXPECT_NE(e.find("bad_huge_initialiser.onnx"), std::string::npos) << e;
    EXPECT_NE(e.find("'huge'"), std::string::npos) << e;
    EXPECT_NE(e.find("kMaxParameters"), std::string::npos) << e;
}

TEST(OnnxErrors, ANameThatIsNotUtf8IsRefusedNotThrown)
{
    // fuzz_onnx found this: the name went into the spec's JSON, whose writer threw.
    const std::string e = loadError("bad_name_not_utf8");
    EXPECT_NE(e.find("bad_name_not_utf8.onnx"), std::string::npos) << e;
    EXPECT_NE(e.find("node 1's name, op type or domain is not UTF-8 text"), std::string::npos) << e;
}

TEST(OnnxErrors, AnEmptyFillValueIsRefused)
{
    // fuzz_onnx found this: the value was read with .at(0) and threw out of the import.
    const std::string e = loadError("bad_empty_fill_value");
    EXPECT_NE(e.find("bad_empty_fill_value.onnx"), std::string::npos) << e;
    EXPECT_NE(e.find("ConstantOfShape's value tensor is empty"), std::string::npos) << e;
}

TEST(OnnxErrors, MissingFile)
{
    const std::string e = loadError("no_such_model");
    EXPECT_NE(e.find("no_such_model.onnx"), std::string::npos) << e;
}

} // namespace
} // namespace rnnpool
