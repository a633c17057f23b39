// Themes: dark and light are forced Fusion palettes; "system" gives back what
// the platform gave the application at start-up.
#include <QApplication>
#include <QStyle>

#include <gtest/gtest.h>

#include "studio/theme.h"
#include "widgets/palette.h"

namespace rnnpool::studio {
namespace {

TEST(Theme, DarkLightAndBackToTheSystemPalette)
{
    rememberSystemPalette();
    const QColor systemWindow = QApplication::palette().color(QPalette::Window);
    const QString systemStyle = QApplication::style()->name();

    applyTheme(Theme::Dark);
    EXPECT_EQ(QApplication::palette().color(QPalette::Window), widgets::darkPalette().color(QPalette::Window));
    EXPECT_LT(QApplication::palette().color(QPalette::Window).lightness(),
              QApplication::palette().color(QPalette::WindowText).lightness());
    EXPECT_EQ(QApplication::style()->name(), QStringLiteral("fusion"));

    applyTheme(Theme::Light);
    EXPECT_GT(QApplication::palette().color(QPalette::Window).lightness(),
              QApplication::palette().color(QPalette::WindowText).lightness());

    applyTheme(Theme::System);
    EXPECT_EQ(QApplication::palette().color(QPalette::Window), systemWindow);
    EXPECT_EQ(QApplication::style()->name(), systemStyle);
}

TEST(Theme, NamesRoundTripAndUnknownOnesAreRefused)
{
    for (Theme t : {Theme::System, Theme::Light, Theme::Dark})
        EXPECT_EQ(themeFromName(themeName(t)), t);
    EXPECT_EQ(themeFromName(QStringLiteral("DARK")), Theme::Dark);
    EXPECT_FALSE(themeFromName(QStringLiteral("solarized")));
}

} // namespace
} // namespace rnnpool::studio
