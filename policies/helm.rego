package failsafe.bundled.helm

import rego.v1
