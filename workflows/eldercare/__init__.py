"""幸福颐养 part 1: the elder-care service directory, the 15-minute circle and its coverage."""
