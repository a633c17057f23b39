// isUtf8 against the rules of RFC 3629, one byte sequence per rule, and
// against Python's decoder on every 1- and 2-byte sequence (the count of
// valid ones, computed with: sum(1 for b in product(range(256), repeat=n)
// if decodes(bytes(b)))).
#include <gtest/gtest.h>

#include <string>

#include "util/utf8.h"

namespace rnnpool {
namespace {

TEST(Utf8, AcceptsWellFormedText)
{
    EXPECT_TRUE(isUtf8(""));
    EXPECT_TRUE(isUtf8("conv1.weight"));
    EXPECT_TRUE(isUtf8("caf\xc3\xa9"));                 // é
    EXPECT_TRUE(isUtf8("\xe2\x82\xac"));                // €
    EXPECT_TRUE(isUtf8("\xf0\x9f\x98\x80"));            // U+1F600
    EXPECT_TRUE(isUtf8("\xf4\x8f\xbf\xbf"));            // U+10FFFF, the last code point
    EXPECT_TRUE(isUtf8(std::string("a\0b", 3)));        // NUL is a code point
}

TEST(Utf8, RefusesEachKindOfMalformedSequence)
{
    EXPECT_FALSE(isUtf8("relu_\xa8OT"));                // a lone continuation byte (the fuzzer's)
    EXPECT_FALSE(isUtf8("\xc0\x80"));                   // overlong NUL
    EXPECT_FALSE(isUtf8("\xc1\xbf"));                   // overlong
    EXPECT_FALSE(isUtf8("\xe0\x9f\xbf"));               // overlong 3-byte
    EXPECT_FALSE(isUtf8("\xed\xa0\x80"));               // a surrogate, U+D800
    EXPECT_FALSE(isUtf8("\xf0\x8f\xbf\xbf"));           // overlong 4-byte
    EXPECT_FALSE(isUtf8("\xf4\x90\x80\x80"));           // above U+10FFFF
    EXPECT_FALSE(isUtf8("\xf5\x80\x80\x80"));           // no such lead byte
    EXPECT_FALSE(isUtf8("\xe2\x82"));                   // cut short at the end
    EXPECT_FALSE(isUtf8("\xe2\x82x"));                  // cut short by ASCII
    EXPECT_FALSE(isUtf8("\xff"));
}

TEST(Utf8, CountsOfValidShortSequencesEqualPythonsDecoder)
{
    // Python 3.11: 128 valid 1-byte strings; 128*128 + 30*64 = 18,304 valid 2-byte ones.
    int one = 0, two = 0;
    for (int a = 0; a < 256; ++a) {
        one += isUtf8(std::string(1, static_cast<char>(a)));
        for (int b = 0; b < 256; ++b)
            two += isUtf8(std::string{static_cast<char>(a), static_cast<char>(b)});
    }
    EXPECT_EQ(one, 128);
    EXPECT_EQ(two, 18304);
}

} // namespace
} // namespace rnnpool
