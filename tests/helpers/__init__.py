"""What the tests share: local servers, fakes of Facebook and Zalo, clocks and real-looking data."""
