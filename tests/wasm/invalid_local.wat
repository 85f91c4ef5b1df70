(module (func (local.get 3) drop))
