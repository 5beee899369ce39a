#pragma once

// aecnn::core defines QT_NO_KEYWORDS publicly (LibTorch uses `slots` as an
// identifier), but qcustomplot.h declares its signals with the `signals`
// and `foreach` keywords. Map the keywords to their macro forms for this header only.
#ifdef QT_NO_KEYWORDS
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
#else
#include <qcustomplot.h>
#endif
