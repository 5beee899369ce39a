#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include "test_budget.h"

// Runs the aecnn CLI built next to the tests and parses its --json output.
struct CliResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json;
    bool jsonValid = false;
};

inline CliResult runCli(const QStringList& args, int timeoutMs = 240000)
{
    QProcess process;
    process.start(QStringLiteral(AECNN_CLI_PATH), args);
    CliResult result;
    if (!process.waitForFinished(aecnn::test::budgetMs(timeoutMs))) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out";
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(result.out, &error);
    result.jsonValid = error.error == QJsonParseError::NoError && doc.isObject();
    result.json = doc.object();
    return result;
}
