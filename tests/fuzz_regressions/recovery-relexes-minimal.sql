oops 'x
SELECT 1; -- it's; SELECT 2;
