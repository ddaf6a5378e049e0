package failsafe.bundled.terraform

import rego.v1
