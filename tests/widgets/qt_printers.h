// Readable GoogleTest failure messages for Qt values.
#pragma once

#include <ostream>

#include <QColor>
#include <QString>

inline void PrintTo(const QString& s, std::ostream* os)
{
    *os << '"' << s.toStdString() << '"';
}

inline void PrintTo(const QColor& c, std::ostream* os)
{
    *os << "rgba(" << c.red() << ',' << c.green() << ',' << c.blue() << ',' << c.alpha() << ')';
}
