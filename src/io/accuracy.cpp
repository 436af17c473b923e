// TODO(helper)
#include "io/accuracy.h"
