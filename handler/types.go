package handler

import "reflect"

// OutputType returns Out's type, so API document generators can describe
// the response without calling the handler.
func (f TypedFunc[In, Out]) OutputType() reflect.Type {
	return reflect.TypeFor[Out]()
}
