// Escaping and base64 against hand-written expectations (RFC 4648 test vectors).
#include "report/html_text.hpp"

#include <gtest/gtest.h>

using namespace ferlab::report;

TEST(HtmlText, EscapesEveryCharacterThatCouldOpenMarkup) {
  EXPECT_EQ(escape("<script>alert('x & \"y\"')</script>"),
            "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;");
  EXPECT_EQ(escape("plain"), "plain");
}

TEST(HtmlText, Base64MatchesTheRfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\x00\x80", 3)), "/wCA");
  EXPECT_EQ(data_uri("image/png", "foo"), "data:image/png;base64,Zm9v");
}

TEST(HtmlText, NumbersWithFixedDecimalsOrADash) {
  EXPECT_EQ(number(0.81234), "0.8123");
  EXPECT_EQ(number(12.5, 1), "12.5");
  EXPECT_EQ(number(std::nullopt), "\u2014");
}
