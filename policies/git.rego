package failsafe.bundled.git

import rego.v1
