package failsafe.bundled.kubectl

import rego.v1
