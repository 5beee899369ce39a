#pragma once

#include <stdexcept>
#include <string>

namespace aecnn {

// The one error type of the core layer. Messages name the problem and, where
// possible, what the user can do about it.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace aecnn
