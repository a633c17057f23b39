// The studio's dark palette, for the window (app/studio/theme.cpp) and for
// anything that renders a view dark on its own (screenshots, tests).
//
//   widget.setPalette(rnnpool::widgets::darkPalette());
#pragma once

#include <QPalette>

namespace rnnpool::widgets {

QPalette darkPalette();

} // namespace rnnpool::widgets
