#pragma once

#include <QString>
#include <optional>
#include <vector>

#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/measured_profile.h"
#include "aecnn/widgets/table1_rows.h"

namespace aecnn::studio {

// Which device profile the trade-off views (Fig. 5) and adaptive V predict with: the
// connected agent's measured profile (sent after authentication), a profile file the user
// loaded, or the Pi 4 table of the paper. The user's choice holds while its source exists;
// otherwise the first of connected, file, Pi 4 that does. A measured profile holds the
// device side only; its edge side (t_es, t_dec, accuracy per V, whole model) comes from
// setEdgeSide(), or is 0 and the label says so.
class TradeoffProfiles {
public:
    enum class Source { Connected = 0, File = 1, Pi4 = 2 };

    // The connected agent's profile (nullopt: none, e.g. disconnected or an agent without one).
    void setConnected(std::optional<latency::MeasuredDeviceProfile> profile, const QString& note = {});
    // A measured profile (aecnn-agent --profile) or a latency profile JSON (aecnn latency
    // --save-profile); false + *error when it cannot be read (the previous state is kept).
    // A loaded file becomes the choice.
    bool loadFile(const QString& path, QString* error);
    void setEdgeSide(std::optional<latency::DeviceProfile> edge, const QString& origin);
    void choose(Source source);

    Source chosen() const { return chosen_; }
    Source effective() const;
    bool has(Source source) const;
    // The profile in effect; for a measured one, t_enc and bits/element of `codec`
    // ("uint8+zstd", "float32+context": representation + coder).
    latency::DeviceProfile profile(const QString& codec) const;
    // Where its numbers come from, e.g. "device: aecnn-agent on vm, measured 2026-11-27T18:40:47Z,
    // input 28×28" or "Raspberry Pi 4B (paper): ResNet-50 at 224×224, ...".
    QString label() const;
    // Why the predictions are not comparable with the studio's own measurements of a model
    // with inputHeight x inputWidth inputs (0 = not known); empty when they are.
    QString warning(int inputHeight, int inputWidth) const;
    // Changes whenever the profile in effect may have changed (adaptive V rebuilds its selector).
    int revision() const { return revision_; }

private:
    std::optional<latency::MeasuredDeviceProfile> connected_;
    QString connectedNote_;
    std::optional<latency::MeasuredDeviceProfile> fileMeasured_;
    std::optional<latency::DeviceProfile> fileLatency_;
    QString filePath_;
    std::optional<latency::DeviceProfile> edge_;
    QString edgeOrigin_;
    Source chosen_ = Source::Connected;
    int revision_ = 0;
};

// The edge side of measured profiles from the studio's committed results: t_es per split and
// the whole model from `aecnn bench-model --json` (resources/results/bench-model.json), t_dec
// and accuracy per split and V from Table I "ours", the unsplit accuracy (%) given. Empty
// when the bench file cannot be read (*error says why).
std::optional<latency::DeviceProfile> edgeSideFromResults(const QString& benchModelJson,
                                                          const std::vector<widgets::Table1Row>& ours,
                                                          double unsplitAccuracy, QString* error);

} // namespace aecnn::studio
