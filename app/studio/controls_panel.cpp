#include "controls_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>

namespace aecnn::studio {

ControlsPanel::ControlsPanel(QWidget* parent)
    : QWidget(parent), model_(new QLineEdit(this)), split_(new QComboBox(this)), ratio_(new QComboBox(this)),
      mode_(new QComboBox(this)), codec_(new QComboBox(this)), rate_(new QDoubleSpinBox(this)),
      deadline_(new QDoubleSpinBox(this)), adaptive_(new QCheckBox(tr("adaptive V (from measured throughput)"), this)),
      codecNote_(new QLabel(this))
{
    codecNote_->setObjectName(QStringLiteral("codecNote"));
    codecNote_->setWordWrap(true);
    QFont small = codecNote_->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    codecNote_->setFont(small);
    setObjectName(QStringLiteral("controls"));
    model_->setObjectName(QStringLiteral("model"));
    split_->setObjectName(QStringLiteral("split"));
    ratio_->setObjectName(QStringLiteral("ratio"));
    mode_->setObjectName(QStringLiteral("mode"));
    codec_->setObjectName(QStringLiteral("codec"));
    rate_->setObjectName(QStringLiteral("rate"));
    deadline_->setObjectName(QStringLiteral("deadline"));
    adaptive_->setObjectName(QStringLiteral("adaptive"));

    model_->setToolTip(tr("'default', a checkpoint path or torchvision:FILE"));
    ratio_->addItems(ratioChoices());
    mode_->addItems(modeNames());
    codec_->addItems(codecNames());
    rate_->setRange(0.01, 10000.0);
    rate_->setDecimals(2);
    rate_->setSuffix(tr(" Mbps"));
    deadline_->setRange(1.0, 100000.0);
    deadline_->setSuffix(tr(" ms"));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Model"), model_);
    form->addRow(tr("Split point"), split_);
    form->addRow(tr("Ratio V"), ratio_);
    form->addRow(tr("Mode"), mode_);
    form->addRow(tr("Codec"), codec_);
    form->addRow(QString(), codecNote_);
    form->addRow(tr("Uplink rate r"), rate_);
    form->addRow(tr("Deadline"), deadline_);
    form->addRow(QString(), adaptive_);

    setSplitRows({});
    setConfig(StudioConfig{});
    connect(model_, &QLineEdit::editingFinished, this, &ControlsPanel::emitIfChanged);
    for (QComboBox* box : {split_, ratio_, mode_, codec_})
        connect(box, &QComboBox::currentIndexChanged, this, &ControlsPanel::emitIfChanged);
    for (QDoubleSpinBox* box : {rate_, deadline_})
        connect(box, &QDoubleSpinBox::valueChanged, this, &ControlsPanel::emitIfChanged);
    connect(adaptive_, &QCheckBox::toggled, this, &ControlsPanel::emitIfChanged);
}

StudioConfig ControlsPanel::config() const
{
    StudioConfig config;
    config.model = model_->text().trimmed().isEmpty() ? QStringLiteral("default") : model_->text().trimmed();
    config.split = split_->currentData().toInt();
    config.ratio = ratio_->currentText().toInt();
    config.mode = mode_->currentText();
    config.codec = codec_->currentText();
    config.rateMbps = rate_->value();
    config.deadlineMs = deadline_->value();
    config.adaptiveRatio = adaptive_->isChecked();
    return config;
}

void ControlsPanel::setConfig(const StudioConfig& config)
{
    {
        const QSignalBlocker blockers[] = {QSignalBlocker(model_), QSignalBlocker(split_), QSignalBlocker(ratio_),
                                           QSignalBlocker(mode_),  QSignalBlocker(codec_), QSignalBlocker(rate_),
                                           QSignalBlocker(deadline_), QSignalBlocker(adaptive_)};
        model_->setText(config.model);
        int splitIndex = split_->findData(config.split);
        if (splitIndex < 0) { // the model's split table is not known yet: keep the number
            split_->addItem(QString::number(config.split), config.split);
            splitIndex = split_->count() - 1;
        }
        split_->setCurrentIndex(splitIndex);
        const int ratioIndex = ratio_->findText(QString::number(config.ratio));
        if (ratioIndex >= 0)
            ratio_->setCurrentIndex(ratioIndex);
        const int modeIndex = mode_->findText(config.mode);
        if (modeIndex >= 0)
            mode_->setCurrentIndex(modeIndex);
        int codecIndex = codec_->findText(config.codec);
        QString unused;
        if (codecIndex < 0 && !agentCodecSettings(config.codec, &unused).isEmpty()) {
            codec_->addItem(config.codec); // e.g. a measured best such as uint4+context
            codecIndex = codec_->count() - 1;
        }
        if (codecIndex >= 0)
            codec_->setCurrentIndex(codecIndex);
        rate_->setValue(config.rateMbps);
        deadline_->setValue(config.deadlineMs);
        adaptive_->setChecked(config.adaptiveRatio);
    }
    emitIfChanged();
}

void ControlsPanel::setSplitRows(const std::vector<SplitRow>& rows)
{
    const int current = split_->count() > 0 ? split_->currentData().toInt() : 1;
    rows_ = rows;
    {
        const QSignalBlocker blocker(split_);
        split_->clear();
        if (rows.empty()) {
            for (int point : {1, 2})
                split_->addItem(QString::number(point), point);
        }
        for (const SplitRow& row : rows)
            split_->addItem(row.label(), row.point);
        const int index = split_->findData(current);
        split_->setCurrentIndex(index >= 0 ? index : 0);
    }
    Q_EMIT splitRowsChanged();
    emitIfChanged();
}

void ControlsPanel::setCodecNote(const QString& note)
{
    codecNote_->setText(note);
}

QString ControlsPanel::codecNote() const
{
    return codecNote_->text();
}

void ControlsPanel::emitIfChanged()
{
    const StudioConfig now = config();
    if (now == last_)
        return;
    last_ = now;
    Q_EMIT configChanged(now);
}

} // namespace aecnn::studio
