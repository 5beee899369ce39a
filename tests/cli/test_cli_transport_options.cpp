// The transport options of `aecnn eval --codec`, `aecnn codec` and `aecnn edge`
// (app/cli/transport_options.h): one table, so a mistyped value is refused the same way
// by every command, before anything is loaded or connected, and the help texts stay
// what they were.

#include <QtTest>

#include "cli_runner.h"

class TestCliTransportOptions : public QObject {
    Q_OBJECT
private:
    static QString describe(const CliResult& r) { return QString::fromUtf8(r.out + "\n" + r.err); }

private Q_SLOTS:
    void mistypedValueIsAUsageError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("expected");
        const QStringList coders{"--codec", "store, zstd, zstd-entropy, context"};
        QTest::newRow("eval codec") << QStringList{"eval", "--codec", "zstdd"} << coders;
        QTest::newRow("eval codec list") << QStringList{"eval", "--codec", "context,zstdd"} << coders;
        QTest::newRow("eval bits") << QStringList{"eval", "--codec", "context", "--bits", "4,eight"}
                                   << QStringList{"--bits", "2..8"};
        QTest::newRow("eval range") << QStringList{"eval", "--codec", "context", "--range", "p99"}
                                    << QStringList{"--range", "minmax, mse"};
        QTest::newRow("eval bits without uint")
            << QStringList{"eval", "--codec", "zstd", "--repr", "float16", "--bits", "4"}
            << QStringList{"--bits applies to --repr uint only"};
        QTest::newRow("edge codec") << QStringList{"edge", "--codec", "zstdd"} << coders;
        QTest::newRow("edge repr") << QStringList{"edge", "--repr", "uint8"}
                                   << QStringList{"--repr", "float32, float32-shuffled, float16, uint"};
        QTest::newRow("edge bits") << QStringList{"edge", "--bits", "9"} << QStringList{"--bits", "2..8"};
        QTest::newRow("edge range") << QStringList{"edge", "--range", "p99"} << QStringList{"--range", "minmax, mse"};
        QTest::newRow("edge context float")
            << QStringList{"edge", "--codec", "context", "--repr", "float32"} << QStringList{"context", "uint"};
        QTest::newRow("codec codec") << QStringList{"codec", "stats", "--codec", "zstdd", "missing.npy"} << coders;
        QTest::newRow("codec repr") << QStringList{"codec", "stats", "--repr", "half", "missing.npy"}
                                    << QStringList{"--repr", "float16"};
        QTest::newRow("codec bits without uint")
            << QStringList{"codec", "stats", "--codec", "zstd", "--repr", "float16", "--bits", "4", "missing.npy"}
            << QStringList{"--bits applies to --repr uint only"};
        QTest::newRow("train-dict bits") << QStringList{"codec",  "train-dict", "--model",  "missing.aecnn",
                                                        "--bits", "x",          "out.zdict"}
                                         << QStringList{"--bits", "2..8"};
    }

    // Exit code 2 (usage) and the option and its valid values named; the edge never connects
    // (port 9 would refuse), the codec never opens the missing file.
    void mistypedValueIsAUsageError()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, expected);
        if (args.first() == "edge")
            args << "--connect"
                 << "127.0.0.1:9";
        const auto r = runCli(args << "--json");
        QVERIFY2(r.exitCode == 2, qPrintable(describe(r)));
        QVERIFY2(r.jsonValid && r.json.value("kind").toString() == "usage error", qPrintable(describe(r)));
        const QString error = r.json.value("error").toString();
        for (const auto& part : expected)
            QVERIFY2(error.contains(part), qPrintable(part + " not in: " + error));
    }

    // The option lines of each command's help, exactly as before the options had one table
    // (plus --framing and --calibrate, issue 15).
    void helpTextsAreUnchanged_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QStringList>("lines");
        QTest::newRow("eval")
            << "eval"
            << QStringList{"  --codec NAME,..           split models: code each transmitted tensor with these "
                           "coders (store, zstd, zstd-entropy, context) through the device/edge transport",
                           "  --repr NAME               with --codec: float32, float32-shuffled, float16 or uint "
                           "(n-bit quantization; default)",
                           "  --bits n,..               with --codec and --repr uint: quantization bits, 2..8 "
                           "(default 8)",
                           "  --per-tensor              with --codec: one quantization scale per tensor instead "
                           "of per channel",
                           "  --range minmax|mse        with --codec and --repr uint: quantize the full value range "
                           "(minmax, default) or the range of least squared error (mse; outliers saturate)",
                           "  --framing frame|session   with --codec: self-describing frames (frame, default) or "
                           "frames against a per-session layout (session: shape, kept channels, coder, bits agreed "
                           "once; each frame carries a layout tag, its ranges and the payload)",
                           "  --no-dict                 with --codec: ignore the zstd dictionary stored with the "
                           "model",
                           "  --calibrate N             with --framing session and --repr uint: quantization ranges "
                           "fixed for the session, calibrated on the first N training images (no ranges in the "
                           "frames); default: per-frame ranges"};
        QTest::newRow("edge")
            << "edge"
            << QStringList{"  --first-image I           start at this image of the agent's source",
                           "  --codec NAME              coder of the transmitted tensor: store, zstd, "
                           "zstd-entropy, context",
                           "  --repr NAME               float32, float32-shuffled, float16 or uint (default)",
                           "  --bits n                  uint quantization bits, 2..8 (default 8)",
                           "  --per-tensor              one quantization scale per tensor instead of per channel",
                           "  --range minmax|mse        uint quantization range: full min/max (default) or least "
                           "squared error",
                           "  --framing frame|session   self-describing frames (frame, default) or frames against "
                           "the session layout sent in Configure (session)",
                           "  --resolution WxH          full offloading: JPEG resolution (default native)"};
        QTest::newRow("codec")
            << "codec"
            << QStringList{"  --codec NAME              entropy coder: store, zstd, zstd-entropy, context "
                           "(default: context)",
                           "  --repr NAME               float32, float32-shuffled, float16 or uint (n-bit "
                           "quantization) (default: uint)",
                           "  --bits n                  quantization bits for uint, 2..8 (default 8)",
                           "  --per-tensor              one quantization scale for the tensor instead of one "
                           "per channel",
                           "  --level N                 zstd level for --codec zstd (default: 3)"};
    }

    void helpTextsAreUnchanged()
    {
        QFETCH(QString, command);
        QFETCH(QStringList, lines);
        const auto r = runCli({command, "--help"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        // Consecutive, in this order.
        QVERIFY2(r.out.contains(lines.join('\n').toUtf8() + '\n'), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestCliTransportOptions)
#include "test_cli_transport_options.moc"
