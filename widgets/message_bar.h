// MessageBar: a strip that states a problem in plain words inside the window
// (a model that would not load, a file that is not a picture), instead of a
// dialog that blocks or a message that scrolls away. Hidden when empty.
//
//   MessageBar bar;
//   bar.showMessage(MessageBar::Error, tr("checkpoint 'x.pth': not a zip file"));
//   bar.clearMessage();
#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace rnnpool::widgets {

class MessageBar final : public QFrame {
    Q_OBJECT

public:
    enum Kind { Information, Warning, Error };

    explicit MessageBar(QWidget* parent = nullptr);

    void showMessage(Kind kind, const QString& text);
    void clearMessage();

    Kind kind() const { return m_kind; }
    QString text() const;

private:
    QLabel* m_icon = nullptr;
    QLabel* m_text = nullptr;
    QToolButton* m_close = nullptr;
    Kind m_kind = Information;
};

} // namespace rnnpool::widgets
