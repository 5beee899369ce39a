#pragma once

#include <stdexcept>

namespace aecnn::datasets {

// The one error type of the datasets layer: a data source that cannot be used.
class DatasetError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace aecnn::datasets
