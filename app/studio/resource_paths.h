#pragma once

#include <QString>

namespace aecnn::studio {

// A file under resources/: the installed share/aecnn-studio copy next to the
// executable first, then the source tree's. Empty when neither exists.
QString resourceFile(const QString& relativePath);

} // namespace aecnn::studio
