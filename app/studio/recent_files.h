// RecentFiles: the models and pictures opened lately, newest first, kept in
// QSettings so they survive restarts.
//
//   RecentFiles recent(QStringLiteral("recent/models"));
//   recent.add(path);
//   for (const QString& p : recent.paths()) menu->addAction(p);
#pragma once

#include <QString>
#include <QStringList>

namespace rnnpool::studio {

class RecentFiles {
public:
    static constexpr int kMaxEntries = 8;

    explicit RecentFiles(QString settingsKey);

    QStringList paths() const;   // those that still exist
    void add(const QString& path);
    void clear();

private:
    QString m_key;
};

} // namespace rnnpool::studio
