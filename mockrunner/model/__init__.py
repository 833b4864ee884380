"""The account model: plain data, no HTTP and no wire names."""
