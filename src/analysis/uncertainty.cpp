// uncertainty (in progress)
#include "analysis.hpp"
