#include "widgets/pyramid_text.h"

#include <QCoreApplication>
#include <QStringList>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("PyramidText", text);
}

QString millions(int64_t madds)
{
    return QString::number(static_cast<double>(madds) / 1e6, 'f', 2);
}

} // namespace

double pyramidMaddsRatio(const std::vector<PyramidLevelProfile>& levels)
{
    if (levels.size() < 2 || levels.front().madds <= 0)
        return 1.0;
    return static_cast<double>(pyramidMadds(levels)) / static_cast<double>(levels.front().madds);
}

QString pyramidCostText(const std::vector<PyramidLevelProfile>& levels, ElementType dtype)
{
    if (levels.size() < 2)
        return {};
    QStringList parts;
    for (const PyramidLevelProfile& level : levels)
        parts << tr("%1×%2: peak %3, %4 M MAdds")
                     .arg(level.input[2]).arg(level.input[1]).arg(kibText(level.peakBytes), millions(level.madds));
    const double ratio = pyramidMaddsRatio(levels);
    return tr("Image pyramid of %1 levels (the detector runs this input and its halves, one after another in the "
              "same arena): %2. Its peak is the largest level's, %3 (%4 bytes), and beside the arena the coarser "
              "levels' picture takes %8 (level 1, made from the input's rows as they arrive and halved in place for "
              "each further level); its multiply-adds %5 M, %6× the input's alone (+%7%).")
        .arg(levels.size())
        .arg(parts.join(QStringLiteral(" · ")))
        .arg(kibText(pyramidPeakBytes(levels)))
        .arg(pyramidPeakBytes(levels))
        .arg(millions(pyramidMadds(levels)))
        .arg(ratio, 0, 'f', 2)
        .arg((ratio - 1.0) * 100.0, 0, 'f', 1)
        .arg(kibText(pyramidLevelBufferBytes(levels, dtype)));
}

} // namespace rnnpool::widgets
