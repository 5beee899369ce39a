#pragma once

#include <QWidget>
#include <vector>

#include "studio_config.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace aecnn::studio {

// Model, split point, V, mode, codec, rate, deadline and adaptive V.
class ControlsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ControlsPanel(QWidget* parent = nullptr);

    StudioConfig config() const;
    void setConfig(const StudioConfig& config); // emits configChanged once when it differs
    void setSplitRows(const std::vector<SplitRow>& rows);
    const std::vector<SplitRow>& splitRows() const { return rows_; }
    // A line under the codec: the best measured codec for this split and V (codec_choice.h).
    void setCodecNote(const QString& note);
    QString codecNote() const;

Q_SIGNALS:
    void configChanged(const aecnn::studio::StudioConfig& config);
    void splitRowsChanged();

private:
    void emitIfChanged();

    std::vector<SplitRow> rows_;
    StudioConfig last_;
    QLineEdit* model_;
    QComboBox* split_;
    QComboBox* ratio_;
    QComboBox* mode_;
    QComboBox* codec_;
    QDoubleSpinBox* rate_;
    QDoubleSpinBox* deadline_;
    QCheckBox* adaptive_;
    QLabel* codecNote_;
};

} // namespace aecnn::studio
