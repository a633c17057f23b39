#include "studio/camera_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

namespace rnnpool::studio {

CameraDialog::CameraDialog(QWidget* parent, int index)
    : QDialog(parent)
    , m_index(new QSpinBox)
    , m_resolution(new QComboBox)
{
    setWindowTitle(tr("Open Camera"));
    m_index->setRange(0, 63);
    m_index->setValue(index);
    m_index->setToolTip(tr("0 is the first camera (/dev/video0 on Linux)"));
    m_resolution->addItem(tr("Camera default"), QSize());
    for (const QSize& s : {QSize(320, 240), QSize(640, 480), QSize(800, 600), QSize(1280, 720), QSize(1920, 1080)})
        m_resolution->addItem(QStringLiteral("%1 × %2").arg(s.width()).arg(s.height()), s);
    m_resolution->setCurrentIndex(2);

    auto* form = new QFormLayout(this);
    form->addRow(tr("&Camera number"), m_index);
    form->addRow(tr("&Resolution"), m_resolution);
    auto* note = new QLabel(tr("A camera may deliver a different size; the status bar shows the one it chose."));
    note->setWordWrap(true);
    form->addRow(note);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

int CameraDialog::index() const
{
    return m_index->value();
}

std::optional<Size2> CameraDialog::resolution() const
{
    const QSize s = m_resolution->currentData().toSize();
    if (s.isEmpty())
        return std::nullopt;
    return Size2{s.width(), s.height()};
}

} // namespace rnnpool::studio
