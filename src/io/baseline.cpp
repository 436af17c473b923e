// TODO(helper)
#include "io/baseline.h"
