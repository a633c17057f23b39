#include "studio/theme.h"

#include "widgets/palette.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace rnnpool::studio {

namespace {

QPalette& systemPalette()
{
    static QPalette palette;
    return palette;
}

QString& systemStyle()
{
    static QString name;
    return name;
}

} // namespace

void rememberSystemPalette()
{
    systemPalette() = QApplication::palette();
    systemStyle() = QApplication::style()->name();
}

void applyTheme(Theme theme)
{
    switch (theme) {
    case Theme::System:
        QApplication::setStyle(QStyleFactory::create(systemStyle().isEmpty() ? QStringLiteral("Fusion") : systemStyle()));
        QApplication::setPalette(systemPalette());
        return;
    case Theme::Light:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    case Theme::Dark:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(widgets::darkPalette());
        return;
    }
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::System: return QStringLiteral("system");
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    }
    return {};
}

std::optional<Theme> themeFromName(const QString& name)
{
    for (Theme t : {Theme::System, Theme::Light, Theme::Dark})
        if (themeName(t) == name.toLower())
            return t;
    return std::nullopt;
}

} // namespace rnnpool::studio
