// placeholder, filled in by the feature work
#include "ingest.hpp"
