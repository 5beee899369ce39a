#include <QApplication>
#include <QTimer>
#include <cstdio>

#include "main_window.h"
#include "presentation_tour.h"
#include "startup_options.h"

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("aecnn"));
    QApplication::setApplicationName(QStringLiteral("aecnn-studio"));
    QApplication::setApplicationVersion(QStringLiteral(AECNN_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/aecnn-studio.svg")));

    QString error;
    QString exitText;
    const auto options = aecnn::studio::parseStartupOptions(QApplication::arguments(), &error, &exitText);
    if (!options) {
        if (!exitText.isEmpty()) {
            std::fputs(qPrintable(exitText), stdout);
            return 0;
        }
        std::fprintf(stderr, "aecnn-studio: %s\n", qPrintable(error));
        return 2;
    }

    if (options->present)
        aecnn::studio::applyPresentationFont(app); // large fonts, before any widget exists
    aecnn::studio::MainWindow window(*options);
    if (options->present && options->screenshot.isEmpty()) {
        window.showFullScreen();
    } else {
        // A screenshot of presentation mode: a 1080p-like window instead of the (offscreen) screen.
        window.resize(options->present ? QSize(1600, 900) : QSize(1280, 800));
        window.show();
    }
    if (!options->screenshot.isEmpty()) {
        QTimer::singleShot(options->screenshotDelayMs, &window, [&window, path = options->screenshot] {
            const bool ok = window.grab().save(path, "PNG");
            if (!ok)
                std::fprintf(stderr, "aecnn-studio: cannot write the screenshot %s\n", qPrintable(path));
            window.close();
            QApplication::exit(ok ? 0 : 1);
        });
    }
    return QApplication::exec();
}
