SELECT 1 -- Running upgrade a -> b
/* trailing */