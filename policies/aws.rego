package failsafe.bundled.aws

import rego.v1
