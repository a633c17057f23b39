// Light and dark palettes. "System" keeps what the platform gave the
// application at start-up (Qt follows the desktop's colour scheme there);
// Light and Dark force Fusion palettes. Every studio view paints from the
// palette, so switching needs no restart.
//
//   applyTheme(Theme::Dark);
#pragma once

#include <optional>

#include <QString>

namespace rnnpool::studio {

enum class Theme { System, Light, Dark };

// Call once, right after QApplication exists, before any applyTheme().
void rememberSystemPalette();
void applyTheme(Theme theme);
QString themeName(Theme theme);              // "system", "light", "dark"
std::optional<Theme> themeFromName(const QString& name);

} // namespace rnnpool::studio
