#include "studio/recent_files.h"

#include <QFileInfo>
#include <QSettings>

namespace rnnpool::studio {

RecentFiles::RecentFiles(QString settingsKey)
    : m_key(std::move(settingsKey))
{
}

QStringList RecentFiles::paths() const
{
    QStringList existing;
    const QStringList stored = QSettings().value(m_key).toStringList();
    for (const QString& path : stored)
        if (QFileInfo::exists(path))
            existing << path;
    return existing;
}

void RecentFiles::add(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList stored = QSettings().value(m_key).toStringList();
    stored.removeAll(absolute);
    stored.prepend(absolute);
    while (stored.size() > kMaxEntries)
        stored.removeLast();
    QSettings().setValue(m_key, stored);
}

void RecentFiles::clear()
{
    QSettings().remove(m_key);
}

} // namespace rnnpool::studio
