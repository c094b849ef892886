#include "agent_plugin.h"
