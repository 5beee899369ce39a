#pragma once

// The in-process agent the edge tests stream from: the shared token and test data set.

#include <QtGlobal>

#include "agent_options.h"
#include "edge_fixture.h"

namespace aecnn::testing {

inline agent::AgentOptions agentOptions(quint16 port = 0)
{
    agent::AgentOptions options;
    options.port = port;
    options.token = kEdgeToken;
    options.dataset = kEdgeDataset;
    return options;
}

} // namespace aecnn::testing
