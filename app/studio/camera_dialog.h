// CameraDialog: asks which camera (by index) and at which resolution to open.
//
//   CameraDialog dialog(this);
//   if (dialog.exec() == QDialog::Accepted) open(dialog.index(), dialog.resolution());
#pragma once

#include <optional>

#include <QDialog>

#include "engine/preprocess.h"

class QComboBox;
class QSpinBox;

namespace rnnpool::studio {

class CameraDialog final : public QDialog {
    Q_OBJECT

public:
    explicit CameraDialog(QWidget* parent = nullptr, int index = 0);

    int index() const;
    // nullopt: the camera's own default.
    std::optional<Size2> resolution() const;

private:
    QSpinBox* m_index;
    QComboBox* m_resolution;
};

} // namespace rnnpool::studio
