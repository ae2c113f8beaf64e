# Copyright (c) e2evlp-mm contributors. All rights reserved.
