// NameColumn: keeps a tree view's first column, the names, readable. It is
// as wide as the other columns leave, but never narrower than `minChars`
// characters (or than its widest name, where that is less); where the view
// is too narrow for both, the view scrolls sideways instead, so the names
// stay and the figures scroll. Call fit() after the other columns' widths
// change (resizeColumnToContents); a resize of the view refits by itself.
//
//   auto* names = new NameColumn(tree, 14);  // owned by the tree
//   for (int c = 1; c < columns; ++c) tree->resizeColumnToContents(c);
//   names->fit();
#pragma once

#include <QObject>

class QTreeView;

namespace rnnpool::widgets {

class NameColumn final : public QObject {
    Q_OBJECT

public:
    NameColumn(QTreeView* view, int minChars);

    void fit();
    // The narrowest the names are given: minChars characters, or the widest name if narrower.
    int floorWidth() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QTreeView* m_view;
    int m_minChars;
};

} // namespace rnnpool::widgets
